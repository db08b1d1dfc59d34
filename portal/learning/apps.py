from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "portal.learning"
    label = "learning"
    verbose_name = "Professional-learning hours"

    def ready(self):
        from portal import dashboard
        from portal.learning.dashboard import panel

        dashboard.register(panel)
