from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self):
        from communities.dashboard import panel
        from portal import dashboard

        dashboard.register(panel)
        # The hours engine names communities and their expected hours through communities/learning.py.
        from communities import learning

        learning.connect()
