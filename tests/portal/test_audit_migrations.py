"""The data migrations keep every audit row of the three old models, and give them back when reversed."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("portal", "0005_audit_trail"),
    ("institutes", "0002_application_applicationevent_assignment_and_more"),
    ("trainers", "0001_initial"),
    ("communities", "0003_search_vector"),
]
WHEN = dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_old_audit_rows_move_into_the_one_trail_and_back():
    apps = _migrate(BEFORE)
    try:
        User = apps.get_model("portal", "User")
        ContentType = apps.get_model("contenttypes", "ContentType")
        person = User.objects.create(email="coordinator@example.org", name="Coordinator")
        module = apps.get_model("institutes", "Module").objects.create(title="Math", slug="math")
        institute = apps.get_model("institutes", "Institute").objects.create(
            module=module,
            title="Math ToT",
            slug="math-tot",
            description="x",
            applications_open_at=WHEN,
            applications_close_at=WHEN,
        )
        application = apps.get_model("institutes", "Application").objects.create(
            applicant=person, institute=institute
        )
        apps.get_model("institutes", "ApplicationEvent").objects.create(
            application=application,
            actor=None,
            actor_label="Ana (supervisor)",
            created_at=WHEN,
            action="endorsement:endorsed",
            note="Gladly",
        )
        certification_type = ContentType.objects.get_or_create(app_label="trainers", model="certification")[0]
        apps.get_model("trainers", "StatusChange").objects.create(
            content_type=certification_type,
            object_id=7,
            from_status="active",
            to_status="revoked",
            by=person,
            at=WHEN,
            note="Did not attend",
        )
        community = apps.get_model("communities", "Community").objects.create(
            title="Math circle", slug="math-circle", description="x", description_html="x"
        )
        apps.get_model("communities", "ModerationEvent").objects.create(
            community=community,
            actor=person,
            action="removed a member",
            subject_user=person,
            note="Spam",
            created_at=WHEN,
        )

        apps = _migrate(_latest())  # copied, then the old tables dropped
        AuditEntry = apps.get_model("portal", "AuditEntry")
        rows = sorted(
            AuditEntry.objects.values_list(
                "content_type__model",
                "object_id",
                "actor_id",
                "actor_label",
                "at",
                "action",
                "from_status",
                "to_status",
                "note",
                "details",
            ),
            key=lambda row: row[0],
        )
        assert rows == [
            (
                "application",
                application.pk,
                None,
                "Ana (supervisor)",
                WHEN,
                "endorsement:endorsed",
                "",
                "",
                "Gladly",
                {},
            ),
            (
                "certification",
                7,
                person.pk,
                "",
                WHEN,
                "status:revoked",
                "active",
                "revoked",
                "Did not attend",
                {},
            ),
            (
                "community",
                community.pk,
                person.pk,
                "",
                WHEN,
                "removed a member",
                "",
                "",
                "Spam",
                {"member": person.pk},
            ),
        ]

        apps = _migrate(BEFORE)
        assert apps.get_model("portal", "AuditEntry").objects.count() == 0
        event = apps.get_model("communities", "ModerationEvent").objects.get()
        assert (event.action, event.subject_user_id, event.note, event.created_at) == (
            "removed a member",
            person.pk,
            "Spam",
            WHEN,
        )
        change = apps.get_model("trainers", "StatusChange").objects.get()
        assert (change.object_id, change.to_status, change.by_id) == (7, "revoked", person.pk)
        old = apps.get_model("institutes", "ApplicationEvent").objects.get()
        assert (old.application_id, old.actor_label, old.action) == (
            application.pk,
            "Ana (supervisor)",
            "endorsement:endorsed",
        )
    finally:
        _migrate(_latest())
