"""Extra POST fields never reach the database: the forms list their fields, the services set the rest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities.models import ImplementationPlan, Post, Resource, Thread
from institutes.models import Application
from tests.institutes.factories import InstituteFactory
from tests.security.conftest import PDF
from tests.trainers.factories import ReportFactory
from trainers.models import FacilitationReport, Honorarium


def hostile(w, **more) -> dict:
    """The fields an attacker adds to a form, pointing at other people's rows."""
    other = w.users["other_applicant"]
    return {
        "status": "accepted",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "groups": "1",
        "email": "mallory@example.org",
        "applicant": other.pk,
        "owner": other.pk,
        "author": other.pk,
        "trainer": other.pk,
        "added_by": other.pk,
        "amount": "99999.00",
        "hidden": "on",
        "pinned": "on",
        "locked": "on",
        "reviewed_by": other.pk,
        "decided_by": other.pk,
        "is_eligible": "on",
        "endorsement": "endorsed",
        **more,
    }


def test_profile_ignores_role_and_identity_fields(world, client_for):
    ana = world.users["applicant"]
    response = client_for(ana).post(
        reverse("profile"), {"name": "Ana Torres", "position": "Teacher", "phone": "", **hostile(world)}
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert (ana.name, ana.position) == ("Ana Torres", "Teacher")
    assert (ana.is_staff, ana.is_superuser, ana.is_active, ana.email) == (
        False,
        False,
        True,
        "ana@example.org",
    )
    assert list(ana.groups.all()) == []


def test_application_ignores_status_applicant_and_eligibility(world, client_for):
    ana = world.users["applicant"]
    institute = InstituteFactory(title="Another open ToT", requires_caep_funding=False)
    data = {
        "agency": ana.agency_id,
        "position": "Teacher",
        "statement": "I will bring it home.",
        "supervisor_name": "Pat",
        "supervisor_email": "pat@example.org",
        "commits_to_attend": "on",
        "commits_to_present": "on",
        "action": "save",
        **hostile(world, institute=world.institute.pk, submitted_at="2020-01-01T00:00"),
    }
    response = client_for(ana).post(reverse("institutes:apply", args=[institute.slug]), data)
    assert response.status_code == 302
    application = Application.objects.get(institute=institute)
    assert (application.applicant, application.status, application.is_eligible) == (
        ana,
        Application.Status.DRAFT,
        None,
    )
    assert application.submitted_at is None
    assert application.endorsement != "endorsed"
    # Submitting moves it to "submitted", never to the "accepted" the attacker asked for.
    response = client_for(ana).post(
        reverse("institutes:apply", args=[institute.slug]), {**data, "action": "submit"}
    )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.applicant == ana


def test_report_ignores_status_trainer_and_reviewer(world, client_for):
    tess = world.users["trainer"]
    data = {
        "module": world.institute.module_id,
        "starts_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "hours": "3",
        "host_kind": FacilitationReport.HostKind.OWN_AGENCY,
        "audience": "ESL teachers",
        "participants_count": "12",
        "agenda": SimpleUploadedFile("agenda.pdf", PDF, content_type="application/pdf"),
        "sign_in_sheet": SimpleUploadedFile("names.csv", b"name\nAna\n", content_type="text/csv"),
        "reflection": "It went well.",
        **hostile(world, status="verified", review_comment="Looks great", reviewed_at="2020-01-01"),
    }
    before = set(FacilitationReport.objects.values_list("pk", flat=True))
    response = client_for(tess).post(reverse("trainers:report-new"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    report = FacilitationReport.objects.exclude(pk__in=before).get()
    assert (report.trainer, report.status, report.reviewed_by, report.review_comment) == (
        tess,
        FacilitationReport.Status.SUBMITTED,
        None,
        "",
    )


def test_honorarium_request_takes_the_amount_from_the_rate_table(world, client_for):
    tess = world.users["trainer"]
    report = ReportFactory(
        trainer=tess, module=world.institute.module, status=FacilitationReport.Status.VERIFIED
    )
    response = client_for(tess).post(
        reverse("trainers:honorarium-request", args=[report.pk]),
        hostile(world, status="paid", payment_reference="X1", rate=999),
    )
    assert response.status_code == 302
    honorarium = Honorarium.objects.get(report=report)
    assert (honorarium.trainer, honorarium.amount, honorarium.status, honorarium.payment_reference) == (
        tess,
        Decimal("300.00"),
        Honorarium.Status.REQUESTED,
        "",
    )


def test_thread_and_post_ignore_author_and_moderation_flags(world, client_for):
    ana = world.users["applicant"]
    client = client_for(ana)
    response = client.post(
        reverse("communities:thread-create", args=[world.community.slug]),
        {"title": "Number lines", "body": "Who tried them?", **hostile(world, community=world.cohort.pk)},
    )
    assert response.status_code == 302
    thread = Thread.objects.get(title="Number lines")
    assert (thread.author, thread.community, thread.pinned, thread.locked, thread.hidden) == (
        ana,
        world.community,
        False,
        False,
        False,
    )
    response = client.post(
        reverse("communities:post-create", args=[world.thread.pk]),
        {"body": "Me, on Tuesday.", **hostile(world, thread=world.public_thread.pk)},
    )
    assert response.status_code == 302
    post = Post.objects.get(body="Me, on Tuesday.")
    assert (post.author, post.thread, post.hidden) == (ana, world.thread, False)


def test_post_edit_ignores_author_and_hidden(world, client_for):
    ana = world.users["applicant"]
    response = client_for(ana).post(
        reverse("communities:post-edit", args=[world.post.pk]), {"body": "Edited.", **hostile(world)}
    )
    assert response.status_code == 302
    world.post.refresh_from_db()
    assert (world.post.body, world.post.author, world.post.hidden) == ("Edited.", ana, False)


def test_plan_ignores_owner_and_cannot_share_outside_own_communities(world, client_for):
    ana = world.users["applicant"]
    client = client_for(ana)
    response = client.post(
        reverse("communities:plan-create"), {"title": "My plan", "goals": "Fractions.", **hostile(world)}
    )
    assert response.status_code == 302
    plan = ImplementationPlan.objects.get(title="My plan")
    assert (plan.owner, plan.shared_with) == (ana, None)
    # Ana is not a member of the cohort: she cannot share her plan into it.
    response = client.post(
        reverse("communities:plan-edit", args=[plan.pk]),
        {"title": "My plan", "goals": "Fractions.", "shared_with": world.cohort.pk},
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.shared_with is None


def test_resource_ignores_added_by_and_community(world, client_for):
    ana = world.users["applicant"]
    response = client_for(ana).post(
        reverse("communities:resource-create", args=[world.community.slug]),
        {
            "title": "Fractions video",
            "url": "https://example.org/video",
            **hostile(world, community=world.cohort.pk),
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get(title="Fractions video")
    assert (resource.added_by, resource.community) == (ana, world.community)


def test_listing_ignores_the_user_field(world, client_for):
    from trainers.models import TrainerProfile

    tess = world.users["trainer"]
    response = client_for(tess).post(
        reverse("trainers:my-listing"),
        {"listed": "on", "bio": "I teach ESL.", "user": world.users["other_trainer"].pk, **hostile(world)},
    )
    assert response.status_code == 302
    assert TrainerProfile.objects.get(bio="I teach ESL.").user == tess
    assert not TrainerProfile.objects.filter(user=world.users["other_trainer"]).exists()
