from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self):
        from portal import dashboard
        from trainers.dashboard import staff_panel, trainer_panel

        # Certifications name their module, which lives in institutes.
        dashboard.register(trainer_panel)
        dashboard.register(staff_panel)
