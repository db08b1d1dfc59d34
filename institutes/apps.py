from django.apps import AppConfig


class InstitutesConfig(AppConfig):
    name = "institutes"

    def ready(self):
        from institutes.dashboard import coordinator_panel, panel
        from portal import dashboard

        # The progress tracker's last step is a certification, kept by trainers.
        dashboard.register(panel)
        dashboard.register(coordinator_panel)
