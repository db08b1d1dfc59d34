"""A throwaway badge-signing key for the production-like processes the bench starts (with DEBUG
off the portal refuses to start without one; see portal/credentials/keys.py)."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def throwaway_signing_key() -> str:
    private = ec.generate_private_key(ec.SECP256R1())
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
