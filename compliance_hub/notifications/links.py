"""Links every notification e-mail carries: the settings page, and a one-click unsubscribe
(RFC 8058) signed per person and kind with ``django.core.signing``, so it works without a
session and cannot be forged or pointed at someone else."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from compliance_hub.notifications.queries import KINDS, Kind

_SALT = "compliance_hub.notifications.unsubscribe"
_CODES: dict[str, Kind] = {"d": "weekly_digest", "c": "certificate_changes"}
_CODE_OF = {kind: code for code, kind in _CODES.items()}
assert set(_CODES.values()) == set(KINDS)


def unsubscribe_token(person_id: int, kind: Kind) -> str:
    return signing.Signer(salt=_SALT).sign_object([person_id, _CODE_OF[kind]])


def read_unsubscribe_token(token: str) -> tuple[int, Kind] | None:
    """``(person id, kind)`` of a token the hub signed; ``None`` for anything else."""
    if len(token) > 200:
        return None
    try:
        value = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or value[1] not in _CODES
    ):
        return None
    return value[0], _CODES[value[1]]


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def settings_url() -> str:
    return absolute(reverse("notifications:settings"))


def unsubscribe_url(person_id: int, kind: Kind) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(person_id, kind)]))


def mail_headers(person_id: int, kind: Kind) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click`` to
    the address, without cookies."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(person_id, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
