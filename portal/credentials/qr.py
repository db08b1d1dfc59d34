"""QR codes as inline SVG markup, for pages and PDFs alike (segno)."""

from __future__ import annotations

from io import BytesIO

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, title: str, scale: int = 4) -> SafeString:
    """An inline <svg> of ``url`` (segno escapes the title; the URL is only encoded as modules)."""
    out = BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, title=title, svgclass="qr-code"
    )
    # segno escapes the title it writes; the label repeats it for screen readers.
    markup = out.getvalue().decode().replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    return mark_safe(markup)
