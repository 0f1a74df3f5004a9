"""Passkey rows for tests that do not need a real authenticator (the browser tests use one)."""

from __future__ import annotations

import secrets
from typing import Any

from django.test import Client
from webauthn.helpers import bytes_to_base64url

from compliance_hub.accounts.services import SIGN_IN_METHOD
from compliance_hub.passkeys.models import Passkey


def passkey(person: Any, name: str = "Phone") -> Passkey:
    return Passkey.objects.create(
        person=person,
        credential_id=bytes_to_base64url(secrets.token_bytes(16)),
        public_key=b"not-a-key",
        user_handle=bytes_to_base64url(secrets.token_bytes(32)),
        name=name,
    )


def client_signed_in(person: Any, method: str) -> Client:
    """A browser signed in as ``person``, as a sign-in with ``method`` leaves the session."""
    client = Client()
    client.force_login(person)
    session = client.session
    session[SIGN_IN_METHOD] = method
    session.save()
    return client
