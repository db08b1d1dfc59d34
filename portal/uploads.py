"""Uploaded files: checked by size and by content (never by the name the browser sent).

Files live in the default storage under MEDIA_ROOT, outside the web root, and go out only
through views that check permission and call ``attachment_response``.
"""

from __future__ import annotations

import os
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

# Kinds a person may upload, keyed by a short name; each is recognised by its first bytes.
PDF = "pdf"
PNG = "png"
JPEG = "jpeg"
OFFICE = "office"  # DOCX, XLSX, PPTX: zip containers
TEXT = "text"  # plain text or CSV, UTF-8

DOCUMENT_KINDS = frozenset({PDF, PNG, JPEG, OFFICE, TEXT})

# The names each kind may carry. A known name on the wrong content (an HTML page called photo.png)
# is refused, because the download keeps the name and the person who opens it trusts it.
KIND_EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg", ".jpe"},
    OFFICE: {".docx", ".xlsx", ".pptx"},
    TEXT: {".txt", ".csv", ".tsv", ".md", ".text"},
}
# Markup that a browser would run if it ever rendered the file: never accepted as "plain text".
MARKUP_SIGNS = (
    b"<!doctype",
    b"<html",
    b"<script",
    b"<svg",
    b"<iframe",
    b"<body",
    b"<object",
    b"<embed",
    b"<?xml",
)

KIND_LABELS = {
    PDF: "PDF",
    PNG: "PNG image",
    JPEG: "JPEG image",
    OFFICE: "Word, Excel or PowerPoint file",
    TEXT: "plain text or CSV",
}


def sniff(head: bytes) -> str | None:
    """Name the kind of file from its first bytes, or None if it is none we accept."""
    if head.startswith(b"%PDF"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return OFFICE
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # The sample may end in the middle of a multi-byte character.
            if exc.start < len(head) - 3:
                return None
        lowered = head.lower()
        if lowered.lstrip().startswith(b"<") or any(sign in lowered for sign in MARKUP_SIGNS):
            return None
        return TEXT
    return None


def validate_upload(upload, kinds: frozenset[str] = DOCUMENT_KINDS) -> str:
    """Raise ValidationError unless the file is small enough and one of ``kinds``; return its kind."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            "This file is %(size)s MB; the largest we accept is %(limit)s MB.",
            params={"size": round(upload.size / 1024 / 1024, 1), "limit": limit // 1024 // 1024},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError("This file is empty.", code="empty")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = sniff(head)
    if kind == OFFICE and kind in kinds and not _is_office_zip(upload):
        kind = None
    if kind is None or kind not in kinds:
        allowed = ", ".join(KIND_LABELS[k] for k in sorted(kinds))
        raise ValidationError(
            "We could not recognise this file. Please upload one of: %(allowed)s.",
            params={"allowed": allowed},
            code="wrong_type",
        )
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    known = set().union(*KIND_EXTENSIONS.values())
    if ext in known and ext not in KIND_EXTENSIONS[kind]:
        raise ValidationError(
            "This file is called “…%(ext)s” but it is really a %(label)s. "
            "Please check that you chose the right file.",
            params={"ext": ext, "label": KIND_LABELS[kind]},
            code="name_mismatch",
        )
    return kind


def _is_office_zip(upload) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            # Macros (vbaProject.bin) make an Office file a program: refused like any other.
            return "[Content_Types].xml" in names and not any(
                n.lower().endswith("vbaproject.bin") for n in names
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def safe_filename(name: str, fallback: str = "download") -> str:
    """A plain ASCII file name for Content-Disposition: no paths, no quotes, no control characters."""
    base = os.path.basename(name or "")
    stem, ext = os.path.splitext(base)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or fallback
    ext = re.sub(r"[^A-Za-z0-9.]+", "", ext)[:10]
    return f"{stem[:80]}{ext}"


def attachment_response(field_file, filename: str | None = None) -> FileResponse:
    """Send a stored file as a download (never inline) under a safe name."""
    name = safe_filename(filename or field_file.name)
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=name)
