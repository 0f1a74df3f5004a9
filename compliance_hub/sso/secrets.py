"""The client secret at rest: encrypted with a key derived from ``SECRET_KEY`` (Fernet,
from ``cryptography``), so a copy of the database alone does not reveal it.

Changing ``SECRET_KEY`` makes stored secrets unreadable: sign-in with the provider then
fails with "the provider refused the hub" until someone enters the secret again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac

_SALT = "compliance_hub.sso.client_secret"


def _fernet() -> Fernet:
    key = salted_hmac(_SALT, "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    """The secret, or "" if it cannot be read (``SECRET_KEY`` changed)."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return ""
