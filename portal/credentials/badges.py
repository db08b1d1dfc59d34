"""Open Badges 3.0 credentials: W3C Verifiable Credentials 2.0, signed as VC-JWT.

The proof is the one Open Badges 3.0 calls the JSON Web Token Proof Format (section 8.2): the
credential is the JWT payload, with ``iss``, ``jti``, ``sub``, ``nbf`` (and ``exp`` when the
credential ends) repeating its issuer, id, subject and dates; the JOSE header has ``alg``,
``typ`` and a ``kid`` that is a URL serving the public key. The JSON-LD contexts are named by
their usual URLs and served from the portal's own static files; nothing here fetches them.

An app builds its credential with ``open_badge``, signs it with ``sign`` and checks one handed
back with ``verify``, which refuses anything the portal's keys did not sign, as it was signed.
Whether what it vouches for still stands (revoked, renewed) is the app's to say.
"""

from __future__ import annotations

import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, JoseError

from portal.credentials import keys
from portal.emails import absolute_url
from portal.states import DomainError

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The local copies (static/), so that nothing ever needs to fetch a context.
CONTEXT_FILES = {
    VC_CONTEXT: "credentials/credentials-v2.jsonld",
    OB_CONTEXT: "credentials/ob-v3p0-context-3.0.3.json",
}
CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
MEDIA_TYPE = "application/jwt"
MAX_CHARS = 20_000
COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
KID_IN_URL = re.compile(r"(?:^|/)([A-Za-z0-9_-]{16,64})(?:\.json)?$")


class BadgeRefused(DomainError):
    """The text handed in is not a badge this portal signed, as it signed it."""


def local_contexts() -> dict[str, str]:
    """Each context URL the portal's badges use, and where the portal serves its copy."""
    return {url: static(path) for url, path in CONTEXT_FILES.items()}


def issuer_profile() -> dict:
    return {
        "id": absolute_url(reverse("credentials:issuer")),
        "type": ["Profile"],
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL,
    }


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_badge(
    *,
    credential_id: str,
    name: str,
    description: str,
    achievement: dict,
    subject_id: str,
    identifiers: list[dict],
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict:
    """An OpenBadgeCredential (unsigned). ``credential_id`` is the public verify URL."""
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(),
        "name": name,
        "description": description,
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": {"type": ["Achievement"], **achievement},
        },
    }
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    return credential


def identity(kind: str, value: str) -> dict:
    """An unhashed IdentityObject (a name shown on the verify page anyway)."""
    return {"type": "IdentityObject", "identityType": kind, "hashed": False, "identityHash": value}


def sign(credential: dict) -> str:
    """The credential as a compact JWS (VC-JWT), signed with the portal's current key."""
    pair = keys.current()
    keys.remember(pair)
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": int(_parse_time(credential["validFrom"]).timestamp()),
    }
    if "validUntil" in credential:
        claims["exp"] = int(_parse_time(credential["validUntil"]).timestamp())
    header = {"alg": pair.algorithm, "kid": keys.key_url(pair.kid), "typ": "JWT"}
    return jwt.encode(header, claims, pair.key, algorithms=[pair.algorithm])


@dataclass(frozen=True)
class Verified:
    """A badge whose proof checked out: its credential, as signed, and its dates."""

    credential: dict
    kid: str
    valid_from: datetime
    valid_until: datetime | None

    @property
    def credential_id(self) -> str:
        return self.credential["id"]

    def expired(self, now: datetime | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (now or timezone.now())

    def not_yet_valid(self, now: datetime | None = None) -> bool:
        return self.valid_from > (now or timezone.now())


NOT_A_BADGE = (
    "This is not a badge from this portal. A badge is one long line of letters and digits in three "
    "parts separated by dots (it starts with eyJ): paste it, or upload the file, exactly as you "
    "downloaded it."
)
CHANGED = (
    "This badge has been changed since the portal signed it: its signature no longer matches its "
    "content. Ask the trainer for the badge as they downloaded it."
)
FOREIGN_KEY = (
    "This badge was not signed by this portal: it carries a signature from a key the portal has "
    "never used. It may have been re-signed by someone else."
)
WITHDRAWN_KEY = (
    "This badge was signed with a key the portal has withdrawn, so it can no longer be trusted. "
    "The trainer can download a new badge from their certificate."
)
MALFORMED = "This badge is signed by the portal but its content is incomplete, so it can't be checked."


def read(text: str) -> str:
    """The compact JWS inside what someone pasted or uploaded, or a clear refusal."""
    text = (text or "").strip().strip("\ufeff").strip()
    if len(text) > MAX_CHARS:
        raise BadgeRefused("This is far longer than any badge the portal issues. " + NOT_A_BADGE)
    if text.startswith(('"', "{")):
        try:
            value = json.loads(text)
        except ValueError:
            raise BadgeRefused(NOT_A_BADGE) from None
        if isinstance(value, dict):
            raise BadgeRefused(
                "This is the content of a badge without its signature, so it can't be checked. Paste "
                "the badge exactly as downloaded from the portal: one line that starts with eyJ."
            )
        text = value if isinstance(value, str) else ""
    token = "".join(text.split())
    if not COMPACT.fullmatch(token):
        raise BadgeRefused(NOT_A_BADGE)
    return token


def verify(text: str) -> Verified:
    """Check a badge's proof against the portal's keys; refuse with a reason if it fails."""
    token = read(text)
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError, TypeError, binascii.Error):
        raise BadgeRefused(NOT_A_BADGE) from None
    kid = header.get("kid")
    match = KID_IN_URL.search(kid) if isinstance(kid, str) else None
    if match is None:
        raise BadgeRefused(FOREIGN_KEY)
    try:
        key, algorithm = keys.verification_key(match.group(1))
    except keys.UnknownKey:
        raise BadgeRefused(FOREIGN_KEY) from None
    except keys.WithdrawnKey:
        raise BadgeRefused(WITHDRAWN_KEY) from None
    if header.get("alg") != algorithm:
        raise BadgeRefused(FOREIGN_KEY)
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm]).claims
    except BadSignatureError:
        raise BadgeRefused(CHANGED) from None
    except (JoseError, ValueError, TypeError, binascii.Error):
        raise BadgeRefused(NOT_A_BADGE) from None
    return _checked(claims, match.group(1))


def _checked(claims: dict, kid: str) -> Verified:
    """The claims a valid signature covers must also agree with the credential they carry."""
    try:
        contexts = claims["@context"]
        types = set(claims["type"])
        subject = claims["credentialSubject"]
        issuer = claims["issuer"]
        issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
        valid_from = _parse_time(claims["validFrom"])
        valid_until = _parse_time(claims["validUntil"]) if "validUntil" in claims else None
        agrees = (
            isinstance(contexts, list)
            and contexts[:1] == [VC_CONTEXT]
            and OB_CONTEXT in contexts
            and "VerifiableCredential" in types
            and types & CREDENTIAL_TYPES
            and isinstance(claims["id"], str)
            and claims["iss"] == issuer_id
            and claims["jti"] == claims["id"]
            and claims["sub"] == subject["id"]
            and claims["nbf"] == int(valid_from.timestamp())
            and claims.get("exp") == (int(valid_until.timestamp()) if valid_until else None)
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        agrees = False
    if not agrees:
        raise BadgeRefused(MALFORMED)
    return Verified(credential=claims, kid=kid, valid_from=valid_from, valid_until=valid_until)


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a credential's times carry their zone")
    return moment
