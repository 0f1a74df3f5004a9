"""The WebAuthn ceremonies, through the ``webauthn`` library (py_webauthn): options out,
responses verified. No CBOR or COSE is parsed here.

The relying party is the hub's own address: RP ID = the host of ``SITE_URL``, expected origin =
its scheme, host and port. A response made for any other origin or RP ID is refused.

A challenge is random, kept server-side in Django's cache under a random ceremony id (the
browser only holds the id), lives ``PASSKEY_CHALLENGE_TTL`` seconds and works once: it is
deleted before the response is verified, and only the request whose delete removed it may go
on. Nothing is stored in a session before sign-in (docs/sign-in.md).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from compliance_hub.core import shared_cache

_PREFIX = "passkey:ceremony:"
MAX_RESPONSE_BYTES = 64 * 1024  # a response is a few KB; anything bigger is not one


class CeremonyError(Exception):
    """The response does not prove what it must; ``reason`` is for the log, not the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str


def relying_party() -> RelyingParty:
    parts = urlsplit(settings.SITE_URL)
    return RelyingParty(
        id=parts.hostname or "localhost",
        origin=f"{parts.scheme}://{parts.netloc}",
        name=settings.HUB_NAME,
    )


@dataclass(frozen=True)
class Ceremony:
    """What the server remembers between the options and the response."""

    id: str
    challenge: bytes
    purpose: str  # "register", "sign_in" or "confirm"
    person_id: int | None
    # Registering: the user handle the authenticator was given (it answers with it later).
    user_handle: bytes | None = None


def _store(
    purpose: str, challenge: bytes, person_id: int | None, user_handle: bytes | None = None
) -> str:
    ceremony_id = secrets.token_urlsafe(24)
    value = {"challenge": bytes_to_base64url(challenge), "purpose": purpose, "person": person_id}
    if user_handle is not None:
        value["handle"] = bytes_to_base64url(user_handle)
    shared_cache.set(_PREFIX + ceremony_id, value, timeout=settings.PASSKEY_CHALLENGE_TTL)
    return ceremony_id


def take(ceremony_id: Any, purpose: str, person_id: int | None = None) -> Ceremony:
    """The ceremony, used up; ``CeremonyError`` if unknown, expired, used, or not this one's."""
    if not isinstance(ceremony_id, str) or not 20 <= len(ceremony_id) <= 64:
        raise CeremonyError("no such ceremony")
    key = _PREFIX + ceremony_id
    value = shared_cache.get(key)
    # Single use: of concurrent responses to one challenge only the one whose delete
    # removed it goes on.
    if not isinstance(value, dict) or not shared_cache.delete(key):
        raise CeremonyError("challenge unknown, expired or used")
    if value.get("purpose") != purpose or value.get("person") != person_id:
        raise CeremonyError("challenge of another ceremony")
    handle = value.get("handle")
    return Ceremony(
        ceremony_id,
        base64url_to_bytes(value["challenge"]),
        purpose,
        person_id,
        base64url_to_bytes(handle) if isinstance(handle, str) else None,
    )


def registration_options(
    *, person_id: int, email: str, display_name: str, user_handle: bytes, exclude: list[str]
) -> dict[str, Any]:
    """Options for ``navigator.credentials.create()``: a discoverable credential (the person
    signs in with it alone), user verification preferred, no attestation (we trust no
    particular maker of authenticators)."""
    rp = relying_party()
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=email,
        user_id=user_handle,
        user_display_name=display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(c) for c in exclude],
        timeout=settings.PASSKEY_CHALLENGE_TTL * 1000,
    )
    ceremony = _store("register", options.challenge, person_id, user_handle)
    return {"ceremony": ceremony, "publicKey": json.loads(options_to_json(options))}


def authentication_options(
    purpose: str, *, person_id: int | None = None, allow: list[str] | None = None
) -> dict[str, Any]:
    """Options for ``navigator.credentials.get()``. Signing in: no credential list (the
    authenticator offers the person's discoverable passkeys, so nobody names an account);
    confirming after the link: the signed-in person's passkeys."""
    rp = relying_party()
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=[_descriptor(c) for c in allow or []],
        user_verification=UserVerificationRequirement.PREFERRED,
        timeout=settings.PASSKEY_CHALLENGE_TTL * 1000,
    )
    ceremony = _store(purpose, options.challenge, person_id)
    return {"ceremony": ceremony, "publicKey": json.loads(options_to_json(options))}


def _descriptor(credential_id: str) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))


@dataclass(frozen=True)
class Registered:
    credential_id: str
    public_key: bytes
    sign_count: int


def verify_registration(ceremony: Ceremony, credential: Any) -> Registered:
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except Exception as exc:  # untrusted input: any failure to parse or verify is a refusal
        raise CeremonyError(f"registration refused: {exc}") from exc
    return Registered(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )


def credential_id_of(credential: Any) -> str:
    """The credential id a response names (to find its passkey), or ``CeremonyError``."""
    value = credential.get("rawId") if isinstance(credential, dict) else None
    if not isinstance(value, str) or not 1 <= len(value) <= 1400:
        raise CeremonyError("no credential id")
    return value


def verify_authentication(
    ceremony: Ceremony, credential: Any, *, public_key: bytes, sign_count: int
) -> int:
    """Check the assertion (challenge, origin, RP ID, user presence, signature, counter) and
    return the authenticator's new signature counter.

    The counter rule (the library's): when the stored or the new counter is non-zero, the new
    one must be greater; otherwise the credential may have been cloned and is refused."""
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
        )
    except Exception as exc:  # untrusted input: any failure to parse or verify is a refusal
        raise CeremonyError(f"assertion refused: {exc}") from exc
    return verified.new_sign_count


def parse_body(body: bytes) -> dict[str, Any]:
    """A JSON object from the browser, within ``MAX_RESPONSE_BYTES``; else ``CeremonyError``."""
    if len(body) > MAX_RESPONSE_BYTES:
        raise CeremonyError("response too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CeremonyError("response is not JSON") from exc
    if not isinstance(data, dict):
        raise CeremonyError("response is not an object")
    return data
