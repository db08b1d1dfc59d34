from django.apps import AppConfig


class InstitutesConfig(AppConfig):
    name = "institutes"

    def ready(self):
        from institutes.dashboard import panel
        from portal import dashboard

        dashboard.register(panel)
