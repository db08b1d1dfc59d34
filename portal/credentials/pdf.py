"""HTML templates rendered to PDF (WeasyPrint), with the portal's own fonts and no network.

``render_pdf("trainers/certificate_pdf.html", context)`` returns the PDF's bytes. The template
names its fonts and pictures by their static URLs (``{% static %}``); the fetcher serves those
from the portal's static files and refuses everything else, so a document never reaches out to
the network, whatever its text contains. A QR code goes in as inline SVG (``portal.credentials.qr``).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the template resolve against this made-up origin, which is never contacted.
BASE_URL = "https://documents.invalid/"


class StaticFilesOnly(URLFetcher):
    """Serves the portal's static files (and data: URLs); refuses every other address."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_path = urlsplit(settings.STATIC_URL).path
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(static_path):
            raise ValueError(f"Documents use only the portal's own files, not {url[:100]}")
        path = find_static(unquote(parts.path.removeprefix(static_path)))
        if path is None:
            raise ValueError(f"No static file {parts.path[:100]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def find_static(name: str) -> Path | None:
    """The file behind a static name: from the source folders, or the collected (hashed) copy."""
    try:
        found = finders.find(name)
        if found:
            return Path(found)
        if settings.STATIC_ROOT and staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, ValueError, NotImplementedError):
        return None
    return None


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly(fail_on_errors=False)).write_pdf()
