import secrets
from typing import NamedTuple
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from portal import emails


class PortalSite(NamedTuple):
    """What allauth's e-mails call the "current site" ("Hello from ToT Portal!")."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's messages go out through the portal's ledger and Celery, like every other e-mail."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        msg = self.render_mail(template_prefix, email, {"current_site": portal_site(), **context})
        body_html = next(
            (content for content, mimetype in getattr(msg, "alternatives", []) if mimetype == "text/html"),
            "",
        )
        emails.queue_raw(
            to=email,
            kind=f"account:{template_prefix.rsplit('/', 1)[-1]}",
            subject=msg.subject,
            body_text=msg.body,
            body_html=body_html,
            # Each verification code or reset link is its own message.
            milestone=secrets.token_hex(8),
        )
