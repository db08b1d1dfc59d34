"""Reach and impact: the chain against a hand-built data set, the public page, exports, and
awards and impact stories."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry
from tests import factories
from tests.factories import AgencyFactory, UserFactory
from tests.trainers.factories import (
    CertificationFactory,
    ProfileFactory,
)
from tests.trainers.impact_factories import held_training, impact_world, present
from tests.trainers.training_factories import RegistrationFactory, TrainingFactory
from trainers.impact import Filters, data_version, impact
from trainers.models import (
    Recognition,
    Registration,
    SessionAttendance,
    TurnkeyTraining,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return impact_world()


def _rows(result, dimension) -> dict:
    return {
        row.label: (row.certified, row.fulfilled, row.held, row.educators, row.agencies, row.multiplier)
        for row in result.by[dimension]
    }


def test_the_chain_and_the_multiplier_match_the_hand_built_set(world):
    result = impact()
    total = result.total
    assert (total.certified, total.fulfilled, total.held, total.educators, total.agencies) == (3, 2, 3, 5, 3)
    assert total.multiplier == 1.7  # 5 educators / 3 certified trainers
    assert (total.responses, total.ratings, total.mean_rating) == (3, 4, 3.5)  # (4 + 5 + 3 + 2) / 4
    assert _rows(result, "module") == {
        "Math Strategies": (2, 1, 2, 3, 2, 1.5),
        "Reading Routines": (1, 1, 1, 2, 2, 2.0),
    }
    assert _rows(result, "institute") == {
        "Math Strategies ToT 2025": (2, 1, 2, 3, 2, 1.5),
        "Reading Routines ToT 2026": (1, 1, 1, 2, 2, 2.0),
    }
    # Trainers by their agency's region, trainings by where they were held.
    assert _rows(result, "region") == {
        "Capital": (2, 1, 2, 3, 2, 1.5),
        "Sierra": (1, 1, 0, 0, 0, 0.0),
        "North Coast": (0, 0, 1, 2, 2, None),
    }
    assert _rows(result, "agency") == {
        "Alder Adult School": (2, 1, 2, 3, 2, 1.5),
        "Birch College": (1, 1, 1, 2, 2, 2.0),
    }
    # By quarter: newly certified, fulfilled on a day of the quarter, trainings by first session.
    assert [(r.label, r.certified, r.fulfilled, r.held, r.educators) for r in result.by["quarter"]] == [
        ("2025 Q4", 1, 0, 0, 0),
        ("2026 Q1", 2, 1, 1, 2),
        ("2026 Q2", 0, 1, 2, 4),
    ]
    means = {row.label: row.mean_rating for row in result.by["module"]}
    assert means == {"Math Strategies": 4.0, "Reading Routines": 2.0}


def test_an_educator_at_two_trainings_is_reached_once(world):
    result = impact(Filters(module_id=world["m1"].pk))
    # e1 attended TR1 and TR2 (with the address typed in capitals once): 3 educators, not 4.
    assert result.total.educators == 3
    assert result.total.held == 2
    # ... but once in each quarter she was reached in.
    assert {r.label: r.educators for r in result.by["quarter"]} == {"2025 Q4": 0, "2026 Q1": 2, "2026 Q2": 2}


def test_cancelled_registrations_and_absentees_are_not_counted():
    trainer = CertificationFactory()
    training = held_training(trainer, date(2026, 3, 3), "Capital")
    RegistrationFactory(training=training)  # registered, never present
    present(training, status=Registration.Status.CANCELLED, cancelled_at=timezone.now())
    waitlisted_present = present(training, status=Registration.Status.WAITLISTED)
    result = impact()
    assert (result.total.held, result.total.educators, result.total.agencies) == (1, 1, 1)
    waitlisted_present.attendance.all().delete()
    assert impact().total.educators == 0


def test_filters_by_quarter_region_agency_and_institute(world):
    q2 = impact(Filters(date_from=date(2026, 4, 1), date_to=date(2026, 6, 30)))
    # Certified by the end of June (3); fulfilled, held and reached within the quarter.
    t = q2.total
    assert (t.certified, t.fulfilled, t.held, t.educators, t.agencies) == (3, 1, 2, 4, 3)
    north = impact(Filters(region="North Coast")).total
    assert (north.certified, north.held, north.educators) == (0, 1, 2)
    birch = impact(Filters(agency="birch")).total
    assert (birch.certified, birch.fulfilled, birch.held, birch.educators) == (1, 1, 1, 2)
    cohort = impact(Filters(institute_id=world["i1"].pk)).total
    assert (cohort.certified, cohort.fulfilled, cohort.held, cohort.educators) == (2, 1, 2, 3)


def test_impact_is_one_query_whatever_the_size(world, django_assert_max_num_queries):
    impact()  # the content type of the survey join is cached from here on
    # The count itself, and the sort memory set for it (with its savepoint) on PostgreSQL.
    with django_assert_max_num_queries(4):
        impact()
    certification = world["c1"]
    for i in range(15):
        training = held_training(certification, date(2026, 7, 1) + timedelta(days=i), "Sierra")
        for _ in range(3):
            present(training)
    with django_assert_max_num_queries(4):
        assert impact().total.held == 18


# --- the dashboard -------------------------------------------------------------------------------


def _state_office():
    user = factories.state_office()
    factories.with_totp(user)
    return user


def test_dashboard_shows_the_chain_charts_and_tables(
    world, client_for, coordinator, django_assert_max_num_queries
):
    client = client_for(coordinator)
    client.get(reverse("trainers:impact"))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("trainers:impact"), {"module": world["m1"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="line"' in html
    assert 'data-chart="hbar"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert response.context["total"].educators == 3
    assert "Eve One" not in html
    assert "e1@example.org" not in html


def test_shared_figures_move_as_soon_as_someone_is_markedpresent(world, client_for, coordinator):
    client = client_for(coordinator)
    assert client.get(reverse("trainers:impact")).context["total"].educators == 5
    assert client.get(reverse("trainers:impact")).context["total"].educators == 5  # from the cache
    registration = RegistrationFactory(training=world["tr1"], email="late@example.org")
    assert client.get(reverse("trainers:impact")).context["total"].educators == 5
    SessionAttendance.objects.create(session=world["tr1"].sessions.first(), registration=registration)
    assert client.get(reverse("trainers:impact")).context["total"].educators == 6


def test_only_writes_that_can_change_a_figure_renew_the_shared_figures(world):
    draft = TrainingFactory(status=TurnkeyTraining.Status.DRAFT)
    before = data_version()
    registration = RegistrationFactory(training=world["tr1"], email="new@example.org")
    draft.title = "A new title"
    draft.save(update_fields=["title"])
    assert data_version() == before  # a new registration, a planned training: nothing counted yet
    SessionAttendance.objects.create(session=world["tr1"].sessions.first(), registration=registration)
    after_attendance = data_version()
    assert after_attendance != before
    draft.status = TurnkeyTraining.Status.HELD
    draft.save(update_fields=["status"])
    assert data_version() != after_attendance


def test_dashboard_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    client = client_for(_state_office())
    client.get(reverse("trainers:impact"))
    for i in range(30):
        certification = CertificationFactory(participant=UserFactory(agency=AgencyFactory()))
        training = held_training(certification, date(2026, 8, 1) + timedelta(days=i), f"Region {i}")
        present(training, agency=AgencyFactory(), other_agency="")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("trainers:impact"))
    assert response.status_code == 200
    agency_table = next(t for t in response.context["tables"] if t["name"] == "agency")
    assert len(agency_table["rows"]) == 25
    assert agency_table["more"] == 32 - 25


def test_dashboard_keeps_bad_filters_with_a_message(world, client_for, coordinator):
    response = client_for(coordinator).get(
        reverse("trainers:impact"), {"quarter": "2026-Q2", "date_from": "2026-01-01", "agency": "x" * 500}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a quarter or a date range, not both." in html
    assert 'aria-invalid="true"' in html
    assert 'value="2026-01-01"' in html


def test_dashboard_is_for_coordinators_and_the_state_office(world, client_for):
    trainer = world["c1"].participant
    assert client_for(trainer).get(reverse("trainers:impact")).status_code == 403


# --- exports ---------------------------------------------------------------------------------------


def _xlsx_sheet(content: bytes, index: int = 1) -> list[list[str]]:
    """The cells of one sheet as text (shared strings resolved), read with the standard library."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        sheet = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{index}.xml"))
    assert sheet.find(".//m:f", ns) is None  # no formulas, ever
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = []
        for cell in row.findall("m:c", ns):
            value = cell.find("m:v", ns).text
            cells.append(strings[int(value)] if cell.get("t") == "s" else value)
        rows.append(cells)
    return rows


def test_csv_export_parses_back_and_is_safe_from_formulas(world, client_for, coordinator):
    world["alder"].name = '=HYPERLINK("http://evil.example")'
    world["alder"].save()
    response = client_for(coordinator).get(
        reverse("trainers:impact-export", kwargs={"table": "agency", "fmt": "csv"})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == [
        "Trainer's agency",
        "Certified trainers",
        "Commitments fulfilled",
        "Trainings held",
        "Educators reached",
        "Agencies reached",
    ]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name['\'=HYPERLINK("http://evil.example")'][:6] == ["2", "1", "2", "3", "2", "1.5"]
    assert by_name["Birch College"][:5] == ["1", "1", "1", "2", "2"]


def test_xlsx_export_has_every_table_as_numbers(world, client_for, coordinator):
    world["alder"].name = "=1+1"
    world["alder"].save()
    response = client_for(coordinator).get(
        reverse("trainers:impact-export", kwargs={"table": "module", "fmt": "xlsx"}),
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    assert response.status_code == 200
    assert 'filename="impact-module-' in response["Content-Disposition"]
    module_sheet = _xlsx_sheet(response.content, 1)
    assert module_sheet[0][0] == "Module"
    assert module_sheet[1][:7] == ["Math Strategies", "2", "1", "2", "3", "2", "1.5"]
    chain = _xlsx_sheet(response.content, 2)
    assert chain[1:6] == [
        ["Certified trainers", "3"],
        ["Commitments fulfilled", "2"],
        ["Trainings held", "3"],
        ["Educators reached", "5"],
        ["Agencies reached", "3"],
    ]
    agency = _xlsx_sheet(response.content, 5)  # module, chain, institute, region, agency, quarter
    assert agency[1][0] == "=1+1"  # kept as text, not run as a formula


def test_export_refuses_unknown_tables_and_keeps_bad_filters(world, client_for, coordinator):
    client = client_for(coordinator)
    assert (
        client.get(reverse("trainers:impact-export", kwargs={"table": "people", "fmt": "csv"})).status_code
        == 404
    )
    assert (
        client.get(reverse("trainers:impact-export", kwargs={"table": "module", "fmt": "pdf"})).status_code
        == 404
    )
    response = client.get(
        reverse("trainers:impact-export", kwargs={"table": "module", "fmt": "csv"}),
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "The end of the range can&#x27;t be before its start." in response.content.decode()


# --- the public page -------------------------------------------------------------------------------

REGISTRANT_NAMES = ["Eve One", "Eli Two", "Emma Five", "Ed Six", "Eda Seven", "Absent Abe", "Cancelled Cal"]


def test_public_page_shows_totals_and_no_small_group_or_person(world, client):
    response = client.get(reverse("trainers:impact-public"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in [*REGISTRANT_NAMES, "Tina One", "Toby Two", "Tara Three", "@example.org"]:
        assert name not in html
    figures = response.context["figures"]
    # 3 certified trainers are under five: told as "fewer than 5"; trainings and agencies are not people.
    assert (figures["certified"], figures["held"], figures["educators"], figures["agencies"]) == (
        None,
        3,
        5,
        3,
    )
    assert figures["multiplier"] is None  # from fewer than five trainers
    assert "fewer than 5" in html
    # Math (3 educators) and Reading (2) are each under five: shown only folded together.
    assert figures["by_module"]["rows"] == [
        {"label": "Other groups, folded together", "educators": 5, "held": 3, "folded_from": 2}
    ]
    assert "Math Strategies" not in html
    assert "Reading Routines" not in html
    assert "North Coast" not in html


def test_public_page_shows_groups_of_five_and_withholds_a_small_remainder(world, client):
    tr1 = world["tr1"]
    for i in range(3):
        present(tr1, email=f"more{i}@example.org")
    figures = client.get(reverse("trainers:impact-public")).context["figures"]
    assert figures["by_module"]["rows"] == [
        {"label": "Math Strategies", "educators": 6, "held": 2, "folded_from": 0}
    ]
    assert figures["by_module"]["withheld"] == 2  # Reading's 2 educators, alone under five


def test_public_page_lists_published_recognitions_naming_only_listed_trainers(world, client):
    listed = world["c1"].participant
    ProfileFactory(user=listed, listed=True)
    unlisted = CertificationFactory(participant=UserFactory(name="Private Pat")).participant
    Recognition.objects.create(trainer=listed, kind="award", title="Trainer of the Year", public=True)
    Recognition.objects.create(trainer=unlisted, kind="story", title="A story of change", public=True)
    Recognition.objects.create(trainer=listed, kind="story", title="Not chosen yet", public=False)
    html = client.get(reverse("trainers:impact-public")).content.decode()
    assert "Trainer of the Year" in html
    assert "Tina One" in html
    assert "A story of change" in html
    assert "A certified trainer" in html
    assert "Private Pat" not in html
    assert "Not chosen yet" not in html


# --- awards and impact stories -----------------------------------------------------------------------


def test_trainer_records_a_story_on_their_own_profile(world, client_for):
    trainer = world["c1"].participant
    client = client_for(trainer)
    response = client.post(
        reverse("trainers:recognition-new"),
        {
            "kind": "story",
            "title": "Our ESL team tried it",
            "text": "Three colleagues now use it.",
            "awarded_on": "2026-05-01",
        },
    )
    assert response.status_code == 302
    recognition = Recognition.objects.get()
    assert (recognition.trainer, recognition.recorded_by, recognition.public) == (trainer, trainer, False)
    assert AuditEntry.objects.filter(action="recognition:recorded", object_id=recognition.pk).count() == 1


def test_recognition_form_keeps_bad_input_with_messages(world, client_for):
    client = client_for(world["c1"].participant)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("trainers:recognition-new"), {"kind": "award", "title": "Kept title", "awarded_on": tomorrow}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The date can&#x27;t be in the future." in html
    assert 'value="Kept title"' in html
    assert Recognition.objects.count() == 0


def test_someone_without_a_certification_records_nothing(client_for, user):
    assert client_for(user).get(reverse("trainers:recognition-new")).status_code == 403


def test_coordinator_records_on_a_trainer_found_by_e_mail(world, client_for, coordinator):
    trainer = world["c1"].participant
    client = client_for(coordinator)
    data = {"kind": "award", "title": "Paraprofessional of the Year", "awarded_on": "2026-06-01"}
    response = client.post(
        reverse("trainers:recognition-new"), {**data, "trainer_email": "nobody@example.org"}
    )
    assert "No certified trainer signs in with this address." in response.content.decode()
    response = client.post(
        reverse("trainers:recognition-new"), {**data, "trainer_email": trainer.email.upper()}
    )
    assert response.status_code == 302
    assert Recognition.objects.get().trainer == trainer


def test_only_coordinators_publish_and_the_directory_shows_it(world, client_for, coordinator, client):
    trainer = world["c1"].participant
    ProfileFactory(user=trainer, listed=True)
    recognition = Recognition.objects.create(trainer=trainer, kind="award", title="Trainer of the Year")
    publish = reverse("trainers:recognition-publish", kwargs={"pk": recognition.pk})
    assert client_for(trainer).post(publish, {"public": "1"}).status_code == 403
    assert client_for(_state_office()).post(publish, {"public": "1"}).status_code == 403
    client.logout()
    assert client_for(coordinator).post(publish, {"public": "1"}).status_code == 302
    recognition.refresh_from_db()
    assert recognition.public
    assert AuditEntry.objects.filter(action="recognition:published", object_id=recognition.pk).count() == 1
    client.logout()
    html = client.get(reverse("trainers:directory")).content.decode()
    assert "Trainer of the Year (" in html


def test_a_trainer_changing_a_published_story_takes_it_off_the_public_pages(world, client_for):
    trainer = world["c1"].participant
    recognition = Recognition.objects.create(trainer=trainer, kind="story", title="Before", public=True)
    response = client_for(trainer).post(
        reverse("trainers:recognition-edit", kwargs={"pk": recognition.pk}),
        {"kind": "story", "title": "After", "text": "", "awarded_on": "2026-05-01"},
    )
    assert response.status_code == 302
    recognition.refresh_from_db()
    assert (recognition.title, recognition.public) == ("After", False)


def test_coordinator_may_not_publish_their_own(client_for, coordinator):
    CertificationFactory(participant=coordinator)
    own = Recognition.objects.create(trainer=coordinator, kind="award", title="Mine")
    response = client_for(coordinator).post(
        reverse("trainers:recognition-publish", kwargs={"pk": own.pk}), {"public": "1"}
    )
    assert response.status_code == 403


def test_others_do_not_see_a_trainers_recognitions(world, client_for):
    trainer = world["c1"].participant
    recognition = Recognition.objects.create(trainer=trainer, kind="award", title="Hers")
    other = CertificationFactory().participant
    client = client_for(other)
    assert client.get(reverse("trainers:recognition-edit", kwargs={"pk": recognition.pk})).status_code == 404
    assert "Hers" not in client.get(reverse("trainers:recognitions")).content.decode()
    office = client_for(_state_office())
    assert "Hers" in office.get(reverse("trainers:recognitions")).content.decode()
    assert office.get(reverse("trainers:recognition-edit", kwargs={"pk": recognition.pk})).status_code == 403


def test_nav_links_the_dashboard_for_the_state_office(client_for):
    html = client_for(_state_office()).get(reverse("trainers:impact-public")).content.decode()
    assert re.search(r'href="/trainers/impact/">Reach and impact', html)
