import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal import uploads


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", uploads.PDF),
        (b"\x89PNG\r\n\x1a\n....", uploads.PNG),
        (b"\xff\xd8\xff\xe0....", uploads.JPEG),
        (b"name,date\nAna,2026-01-01\n", uploads.TEXT),
    ],
)
def test_validate_upload_recognises_content(content, kind):
    assert uploads.validate_upload(SimpleUploadedFile("x.bin", content)) == kind


def test_validate_upload_accepts_an_office_file():
    assert uploads.validate_upload(SimpleUploadedFile("agenda.docx", _docx_bytes())) == uploads.OFFICE


def test_validate_upload_refuses_an_executable_named_pdf():
    with pytest.raises(ValidationError) as exc:
        uploads.validate_upload(SimpleUploadedFile("agenda.pdf", b"MZ\x90\x00\x03\x00\x00\x00"))
    assert exc.value.code == "wrong_type"


def test_validate_upload_refuses_a_plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", "x")
    with pytest.raises(ValidationError):
        uploads.validate_upload(SimpleUploadedFile("a.docx", buffer.getvalue()))


def test_validate_upload_refuses_a_file_too_large(settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        uploads.validate_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.7 and more than ten bytes"))
    assert exc.value.code == "too_large"


def test_safe_filename_strips_paths_and_quotes():
    assert uploads.safe_filename('../../etc/"pass wd".pdf') == "pass-wd.pdf"
    assert uploads.safe_filename("") == "download"
