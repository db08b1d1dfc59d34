from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self):
        from institutes.dashboard import register_tracker_step
        from institutes.models import Institute
        from institutes.permissions import register_mentor_check
        from institutes.services import register_certification_check
        from portal import dashboard
        from portal.access import register_person_flag
        from portal.surveys.services import register_quote_subjects
        from trainers import impact, mentoring, planning, registration, training_requests
        from trainers.dashboard import (
            certified_in_institute,
            holds_a_certification,
            request_panel,
            staff_panel,
            trainer_flag_sql,
            trainer_panel,
        )
        from trainers.models.trainings import trainings_of_module
        from trainers.permissions import is_mentor_of_application
        from trainers.services import holds_active_certification

        # A certified trainer finds their reports and honoraria in the person's menu.
        register_person_flag("trainer", trainer_flag_sql, holds_a_certification)
        dashboard.register(trainer_panel)
        dashboard.register(staff_panel)
        dashboard.register(request_panel)
        # A participant's tracker ends when the institute's coordinator certifies them.
        register_tracker_step(
            "Certified", certified_in_institute, kinds={Institute.Kind.CERTIFYING, Institute.Kind.SERIES}
        )
        # A levelled series' Level 2 asks whether the applicant holds an active Level 1.
        register_certification_check(holds_active_certification)
        planning.register_email_kinds()
        registration.register_email_kinds()
        mentoring.register_email_kinds()
        training_requests.register_email_kinds()
        # Approved quotes from turnkey trainings' surveys show on their module's page too.
        register_quote_subjects("module", trainings_of_module)
        # The reach and impact figures are shared in the cache until a row they count changes.
        impact.watch()
        # A participant's mentor scores and reads their practice (institutes' pages).
        register_mentor_check(is_mentor_of_application)
        # Attended training sessions credit professional-learning hours (trainers/learning.py).
        from trainers import learning

        learning.connect()
