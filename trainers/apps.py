from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self):
        from institutes.dashboard import register_tracker_step
        from portal import dashboard
        from trainers import impact
        from trainers.dashboard import certified_in_institute, staff_panel, trainer_panel

        dashboard.register(trainer_panel)
        dashboard.register(staff_panel)
        # A participant's tracker ends when the institute's coordinator certifies them.
        register_tracker_step("Certified", certified_in_institute)
        # The reach and impact figures are shared in the cache until a row they count changes.
        impact.watch()
