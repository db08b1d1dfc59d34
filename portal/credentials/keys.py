"""The portal's signing key for the credentials it issues, and every public key it has used.

The private key comes from the environment (``CREDENTIALS_SIGNING_KEY``, or a file named by
``CREDENTIALS_SIGNING_KEY_FILE``): a PEM private key, EC P-256 (ES256) or RSA of 2048 bits or
more (RS256, the algorithm Open Badges 3.0 asks every verifier to support). Without one, the
quick start and the tests derive a P-256 key from SECRET_KEY; with DEBUG off the web server and
Celery refuse to start on it (``portal.startup``).

Each key is known by its RFC 7638 thumbprint (the ``kid``). The first time a key signs, its
public half is written to ``SigningKey``, and those rows are kept, so rotating the key in the
environment never invalidates a badge signed with an earlier one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from joserfc.jwk import ECKey, RSAKey, import_key

from portal.models import SigningKey

ALGORITHMS = {"EC": "ES256", "RSA": "RS256"}
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class KeyPair:
    key: ECKey | RSAKey
    algorithm: str
    kid: str

    def public_jwk(self) -> dict:
        return public_jwk(self.key, self.algorithm, self.kid)


def public_jwk(key, algorithm: str, kid: str) -> dict:
    """The public half as a JWK, never with a private member."""
    return {**key.as_dict(private=False), "kid": kid, "alg": algorithm, "use": "sig"}


def current() -> KeyPair:
    """The key that signs new credentials."""
    return _load(settings.CREDENTIALS_SIGNING_KEY or _placeholder_pem(settings.SECRET_KEY))


@functools.lru_cache(maxsize=8)
def _load(pem: str) -> KeyPair:
    try:
        private = serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "CREDENTIALS_SIGNING_KEY is not an unencrypted PEM private key (EC P-256 or RSA)."
        ) from exc
    if isinstance(private, ec.EllipticCurvePrivateKey):
        if not isinstance(private.curve, ec.SECP256R1):
            raise ImproperlyConfigured("CREDENTIALS_SIGNING_KEY: an EC key must be on the P-256 curve.")
        key_type = "EC"
    elif isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < MIN_RSA_BITS:
            raise ImproperlyConfigured(
                f"CREDENTIALS_SIGNING_KEY: an RSA key needs {MIN_RSA_BITS} bits or more."
            )
        key_type = "RSA"
    else:
        raise ImproperlyConfigured("CREDENTIALS_SIGNING_KEY must be an EC P-256 or an RSA private key.")
    key = import_key(pem.strip(), key_type)
    return KeyPair(key=key, algorithm=ALGORITHMS[key_type], kid=key.thumbprint())


def _placeholder_pem(secret: str) -> str:
    """A P-256 key derived from SECRET_KEY: for the quick start, the demo and the tests only."""
    seed = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=b"tot-portal credentials key").derive(
        secret.encode()
    )
    order = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
    private = ec.derive_private_key(int.from_bytes(seed, "big") % (order - 1) + 1, ec.SECP256R1())
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def new_private_key_pem(kind: str = "EC") -> str:
    """A fresh private key in PEM, for an operator setting up or rotating the key."""
    if kind == "RSA":
        private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def key_url(kid: str) -> str:
    """The ``kid`` as the proof carries it: a URL that serves the public key as a JWK."""
    return f"{settings.SITE_URL}{reverse('credentials:key', kwargs={'kid': kid})}"


def remember(pair: KeyPair) -> None:
    """Keep the public half of a key that is about to sign (once per key, ever)."""
    SigningKey.objects.get_or_create(
        kid=pair.kid, defaults={"algorithm": pair.algorithm, "public_jwk": pair.public_jwk()}
    )


class UnknownKey(Exception):
    pass


class WithdrawnKey(Exception):
    pass


def verification_key(kid: str) -> tuple[ECKey | RSAKey, str]:
    """The public key and algorithm a badge signed under ``kid`` must verify with."""
    row = SigningKey.objects.filter(kid=kid).first()
    if row is not None:
        if row.withdrawn_at is not None:
            raise WithdrawnKey(kid)
        jwk = {k: v for k, v in row.public_jwk.items() if k not in {"d", "p", "q", "dp", "dq", "qi"}}
        return import_key(jwk, jwk["kty"]), row.algorithm
    pair = current()
    if kid == pair.kid:
        return pair.key, pair.algorithm
    raise UnknownKey(kid)


def published_keys() -> list[dict]:
    """Every public key a badge may have been signed with (withdrawn ones left out)."""
    keys = [row.public_jwk for row in SigningKey.objects.filter(withdrawn_at__isnull=True).order_by("pk")]
    pair = current()
    if (
        not any(k.get("kid") == pair.kid for k in keys)
        and not SigningKey.objects.filter(kid=pair.kid).exists()
    ):
        keys.append(pair.public_jwk())
    return keys
