from pathlib import Path

import pytest
from django.core.management import call_command

from portal.agencies import import_agencies
from portal.models import Agency

GOOD_AND_BAD = """name,kind,region,consortium,caep_funded,cds_code,email_domains,active
Sacramento County Office of Education,county_office,Capital,Capital AE,yes,34103480000000,scoe.net,yes
Fresno Adult School,Adult school,Central Valley,Fresno,yes,,fresnounified.org,
,adult_school,Capital,,yes,,,yes
Moon Base Academy,spaceport,Capital,,yes,,,yes
Bad CDS District,school_district,Capital,,yes,1234,,yes
Maybe Library,library,Capital,,perhaps,,,yes
"""


@pytest.mark.django_db
def test_import_keeps_good_lines_and_reports_bad_ones_by_line():
    report = import_agencies(GOOD_AND_BAD)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [line for line, _ in report.errors] == [4, 5, 6, 7]
    assert "name is empty" in report.errors[0][1]
    assert "spaceport" in report.errors[1][1]
    assert "14 digits" in report.errors[2][1]
    assert "yes or no" in report.errors[3][1]
    coe = Agency.objects.get(cds_code="34103480000000")
    assert coe.is_lea is True
    assert Agency.objects.get(name="Fresno Adult School").is_lea is False


@pytest.mark.django_db
def test_import_twice_changes_nothing():
    import_agencies(GOOD_AND_BAD)
    before = list(Agency.objects.order_by("pk").values())
    report = import_agencies(GOOD_AND_BAD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Agency.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_changed_row_updates_in_place_by_cds_code_then_by_name_and_kind():
    import_agencies(GOOD_AND_BAD)
    changed = GOOD_AND_BAD.replace("Sacramento County Office of Education", "Sacramento COE").replace(
        "Fresno Adult School,Adult school,Central Valley,Fresno,yes",
        "fresno adult school,adult_school,Central Valley,Fresno,no",
    )
    report = import_agencies(changed)
    assert (report.created, report.updated) == (0, 2)
    assert Agency.objects.get(cds_code="34103480000000").name == "Sacramento COE"
    assert Agency.objects.get(normalised_name="fresno adult school").caep_funded is False
    assert Agency.objects.count() == 2


@pytest.mark.django_db
def test_header_without_required_columns_is_reported():
    report = import_agencies("title,sort\nA,b\n")
    assert report.errors == [(1, "the header row lacks the column(s): kind, name")]


@pytest.mark.django_db
def test_management_command_reports_lines_and_is_idempotent(tmp_path: Path, capsys):
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(GOOD_AND_BAD, encoding="utf-8")
    call_command("import_agencies", str(csv_file))
    out, err = capsys.readouterr()
    assert "2 added" in out
    assert "line 5:" in err
    call_command("import_agencies", str(csv_file))
    out, _ = capsys.readouterr()
    assert "0 added, 0 updated, 2 unchanged" in out


@pytest.mark.django_db
def test_sample_csv_has_every_kind_and_imports_cleanly():
    from portal.demo import AGENCIES_CSV

    report = import_agencies(AGENCIES_CSV.read_text(encoding="utf-8"))
    assert report.errors == []
    assert set(Agency.objects.values_list("kind", flat=True)) == set(Agency.Kind.values)


@pytest.mark.django_db
def test_admin_import_view(client_for, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(admin_user)
    upload = SimpleUploadedFile("a.csv", GOOD_AND_BAD.encode(), content_type="text/csv")
    response = client.post("/admin/portal/agency/import/", {"file": upload})
    assert response.status_code == 200
    assert b"Line 5" in response.content
    assert Agency.objects.count() == 2
