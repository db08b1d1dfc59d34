from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self):
        from institutes.dashboard import register_tracker_step
        from portal import dashboard, notifications
        from trainers.dashboard import certified_in_institute, staff_panel, trainer_panel
        from trainers.registration import EMAIL_KINDS as REGISTRATION_EMAIL_KINDS

        dashboard.register(trainer_panel)
        dashboard.register(staff_panel)
        # A participant's tracker ends when the institute's coordinator certifies them.
        register_tracker_step("Certified", certified_in_institute)
        for kind in REGISTRATION_EMAIL_KINDS:
            notifications.register_kind(kind, notifications.Category.TRANSACTIONAL)
