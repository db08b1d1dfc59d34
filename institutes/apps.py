from django.apps import AppConfig


class InstitutesConfig(AppConfig):
    name = "institutes"

    def ready(self):
        from institutes.dashboard import coordinator_panel, panel
        from institutes.permissions import coordinates_an_institute
        from institutes.practice import register_email_kinds
        from institutes.surveys import module_institutes, module_sessions
        from portal import dashboard, notifications
        from portal.access import register_staff_role
        from portal.surveys.services import register_quote_subjects

        # Apps above add their steps to the progress tracker: dashboard.register_tracker_step.
        dashboard.register(panel)
        dashboard.register(coordinator_panel)
        # A coordinator of one institute decides about people's applications and certifications:
        # they sign in with a second factor like the staff groups.
        register_staff_role(coordinates_an_institute)
        # A seat offered from the waitlist, its reminder and its expiry: each asks for (or ends)
        # the applicant's answer, so nobody can turn them off.
        for kind in (
            "application.seat_offer",
            "application.seat_offer_reminder",
            "application.seat_offer_expired",
        ):
            notifications.register_kind(kind, notifications.Category.TRANSACTIONAL)
        # Approved participant quotes about a module's institutes and sessions show on its page
        # (trainers adds its turnkey trainings the same way).
        register_quote_subjects("module", module_institutes)
        register_quote_subjects("module", module_sessions)
        register_email_kinds()
        # Attended sessions credit professional-learning hours (institutes/learning.py).
        from institutes import learning

        learning.connect()
