"""What the browser journeys share: a ``Journey`` that screenshots every step and collects
axe-core's serious and critical violations (asserted once at the end, so one run lists them all),
the links people follow from the e-mails in the ledger, and the phone every page must fit."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from portal.models import OutboundEmail

VIEWPORT_SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "journey-viewport"
PHONE = {"width": 390, "height": 844}


def fits_the_phone(page) -> bool:
    """No sideways scroll: the page is no wider than the window."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


class Journey:
    """Screenshots and axe-core on every page; the violations are kept for one assertion at the end."""

    def __init__(self, browser, live_server, shot, axe):
        self.browser = browser
        self.live_server = live_server
        self._shot = shot
        self._axe = axe
        self.violations: list[str] = []
        self.js_errors: list[str] = []
        self.contexts = []

    def new_page(self):
        context = self.browser.new_context(
            base_url=self.live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.js_errors.append(f"{page.url}: {exc}"))
        return page

    def step(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self._shot(page, name)
        VIEWPORT_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(VIEWPORT_SHOTS / f"{name}.png"))
        for v in self._axe(page):
            self.violations.append(f"{name} ({page.url}): {v['impact']} {v['id']}: {v['help']} {v['nodes']}")

    def close(self):
        for context in self.contexts:
            context.close()


def newest_email(recipient: str, kind_prefix: str) -> OutboundEmail:
    """The newest e-mail of that kind to that person in the ledger."""
    email = (
        OutboundEmail.objects.filter(recipient__iexact=recipient, kind__startswith=kind_prefix)
        .order_by("-created_at", "-pk")
        .first()
    )
    assert email is not None, f"no {kind_prefix} e-mail to {recipient}: " + ", ".join(
        OutboundEmail.objects.filter(recipient__iexact=recipient).values_list("kind", flat=True)
    )
    return email


def link_in_email(recipient: str, kind_prefix: str, path_part: str) -> str:
    """The newest e-mail of that kind to that person, and the link in it that contains path_part."""
    email = newest_email(recipient, kind_prefix)
    urls = re.findall(r"https?://[^\s\"'<>]+", email.body_text)
    matching = [u for u in urls if path_part in u]
    assert matching, f"no link with {path_part} in {email.kind}: {urls}"
    return matching[0]


def relative(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
