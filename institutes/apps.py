from django.apps import AppConfig


class InstitutesConfig(AppConfig):
    name = "institutes"

    def ready(self):
        from institutes.dashboard import coordinator_panel, panel
        from portal import dashboard

        # Apps above add their steps to the progress tracker: dashboard.register_tracker_step.
        dashboard.register(panel)
        dashboard.register(coordinator_panel)
