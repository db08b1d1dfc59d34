from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # startup registers the deploy check; tasks registers the delivery tasks that
        # portal.emails queues by name, in every process (web, tests and workers alike).
        from portal import startup, tasks  # noqa: F401
