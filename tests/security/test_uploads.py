"""Uploads are judged by their content at every upload form; downloads are attachments, never inline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities.models import Resource
from institutes.models import AssignmentSubmission
from tests.security.conftest import PDF
from trainers.models import FacilitationReport

NOT_RECOGNISED = "We could not recognise this file."
TOO_LARGE = "the largest we accept is"
MISNAMED = "but it is really a"

BAD_FILES = {
    # name, content, the message the person sees
    "executable named .pdf": ("agenda.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 512, NOT_RECOGNISED),
    "ELF binary named .pdf": ("agenda.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 512, NOT_RECOGNISED),
    "HTML page named .png": (
        "photo.png",
        b"<html><body><script>alert(1)</script></body></html>",
        NOT_RECOGNISED,
    ),
    "HTML page named .txt": ("notes.txt", b"Hello\n<script>alert(1)</script>\n", NOT_RECOGNISED),
    "SVG named .png": (
        "photo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        NOT_RECOGNISED,
    ),
    "text named .png": ("photo.png", b"just some words\n", MISNAMED),
    "PDF named .docx": ("plan.docx", PDF, MISNAMED),
    "oversized PDF": ("big.pdf", PDF + b"0" * 4096, TOO_LARGE),
}


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = 2048


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _submit_assignment(world, client_for, upload):
    return client_for(world.users["applicant"]).post(
        reverse("institutes:assignment-detail", args=[world.assignment.pk]), {"file": upload}
    )


def _report(world, client_for, upload, which="agenda"):
    files = {
        "agenda": SimpleUploadedFile("agenda.pdf", PDF),
        "sign_in_sheet": SimpleUploadedFile("names.csv", b"name\nAna\n"),
        which: upload,
    }
    return client_for(world.users["trainer"]).post(
        reverse("trainers:report-new"),
        {
            "module": world.institute.module_id,
            "starts_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "hours": "3",
            "host_kind": FacilitationReport.HostKind.OWN_AGENCY,
            "audience": "ESL teachers",
            "participants_count": "12",
            "reflection": "It went well.",
            **files,
        },
    )


def _resource(world, client_for, upload):
    return client_for(world.users["applicant"]).post(
        reverse("communities:resource-create", args=[world.community.slug]),
        {"title": "Handout", "file": upload},
    )


def _counts():
    return (
        list(AssignmentSubmission.objects.order_by("pk").values_list("pk", "file")),
        FacilitationReport.objects.count(),
        Resource.objects.count(),
    )


FORMS = {
    "assignment submission": _submit_assignment,
    "report agenda": lambda w, c, u: _report(w, c, u, "agenda"),
    "report sign-in sheet": lambda w, c, u: _report(w, c, u, "sign_in_sheet"),
    "community resource": _resource,
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_upload_form_refuses_bad_files_with_a_clear_message(world, client_for, small_limit, form):
    before = _counts()
    problems = []
    for label, (name, content, message) in BAD_FILES.items():
        response = FORMS[form](world, client_for, _upload(name, content))
        html = response.content.decode()
        if response.status_code != 200 or message not in html:
            problems.append(f"{label}: HTTP {response.status_code}, message shown: {message in html}")
    assert problems == []
    assert _counts() == before


@pytest.mark.parametrize("form", list(FORMS))
def test_every_upload_form_takes_a_real_document(world, client_for, form):
    name = "names.csv" if form == "report sign-in sheet" else "lesson-plan.pdf"
    content = b"name\nAna\n" if form == "report sign-in sheet" else PDF
    response = FORMS[form](world, client_for, _upload(name, content))
    assert response.status_code == 302


def _download_urls(w):
    return [
        ("applicant", reverse("institutes:submission-download", args=[w.submission.pk])),
        ("applicant", reverse("communities:resource-download", args=[w.resource.pk])),
        ("trainer", reverse("trainers:report-file", args=[w.trainer_report.pk, "agenda"])),
        ("trainer", reverse("trainers:report-file", args=[w.trainer_report.pk, "sign-in-sheet"])),
    ]


def test_downloads_are_attachments_with_nosniff_and_a_safe_name(world, client_for):
    # Names as a hostile uploader might have typed them.
    world.submission.original_filename = '../../<script>"evil"\r\n.html'
    world.submission.save()
    world.resource.filename = "..\\..\\boot.ini\r\nX-Injected: 1"
    world.resource.save()
    for role, url in _download_urls(world):
        response = client_for(world.users[role]).get(url)
        assert response.status_code == 200, url
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename="), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        name = disposition.removeprefix("attachment; filename=").strip('"')
        for bad in ("/", "\\", "<", '"', "\r", "\n", ".."):
            assert bad not in name, (url, name)
        assert "X-Injected" not in response
        b"".join(response.streaming_content)


def test_stored_files_keep_no_trace_of_the_uploaded_name(world, client_for):
    client_for(world.users["applicant"]).post(
        reverse("communities:resource-create", args=[world.community.slug]),
        {"title": "Plan", "file": SimpleUploadedFile("../../../etc/passwd.pdf", PDF)},
    )
    stored = Resource.objects.get(title="Plan").file.name
    assert "passwd" not in stored
    assert ".." not in stored
    submission = AssignmentSubmission.objects.get(pk=world.submission.pk)
    assert "ana" not in submission.file.name.rsplit("/", 1)[-1]
