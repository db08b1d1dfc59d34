from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal import startup  # noqa: F401  (registers the deploy check on SECRET_KEY)
