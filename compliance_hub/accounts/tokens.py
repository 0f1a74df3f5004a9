"""Magic-link tokens and one-time codes: issue, find, consume. Only hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from compliance_hub.accounts.models import Person, SignInToken

# Unambiguous characters (no 0/O, 1/I/L, U): read off a phone, typed on a laptop.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Issued:
    """A freshly issued token: the row, plus the secrets that exist only in the e-mail."""

    token: SignInToken
    raw: str
    code: str = ""


def hash_secret(value: str) -> str:
    """SHA-256 (hex) of a token or browser value."""
    return hashlib.sha256(value.encode()).hexdigest()


def _hash_code(token_hash: str, code: str) -> str:
    key = f"hub-sign-in-code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{token_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``ABCD2345`` → ``ABCD-2345``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(value: str) -> str:
    """What the person typed, as the code it means: upper case, no spaces or dashes."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:32]


def issue(
    *,
    purpose: str,
    email: str,
    ttl: int,
    person: Person | None = None,
    invitation: Any = None,
    browser_hash: str = "",
    next_url: str = "",
    with_code: bool = False,
) -> Issued:
    """Create one token row and return it with its raw token (and code, if asked for).

    ``browser_hash``: SHA-256 of the asking browser's value, which may then sign in at once.
    """
    raw = secrets.token_urlsafe(32)
    token_hash = hash_secret(raw)
    code = new_code() if with_code else ""
    now = timezone.now()
    token = SignInToken.objects.create(
        token_hash=token_hash,
        purpose=purpose,
        person=person,
        email=email,
        invitation=invitation,
        browser_hash=browser_hash,
        code_hash=_hash_code(token_hash, code) if code else "",
        next_url=next_url,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    return Issued(token=token, raw=raw, code=code)


def find(token_hash: str | None) -> SignInToken | None:
    """The token with this hash, in whatever state, or None."""
    if not token_hash:
        return None
    return (
        SignInToken.objects.select_related("person", "invitation")
        .filter(token_hash=token_hash)
        .first()
    )


def state(token: SignInToken | None, purpose: str) -> str:
    """``ok``, or why the token cannot be used: unknown, wrong_purpose, used, expired, inactive."""
    if token is None:
        return "unknown"
    if token.purpose != purpose:
        return "wrong_purpose"
    if token.used_at is not None:
        return "used"
    if token.expires_at <= timezone.now():
        return "expired"
    if token.person is not None and not token.person.is_active:
        return "inactive"
    return "ok"


def same_browser(token: SignInToken, browser_value: str | None) -> bool:
    """Whether the request comes from the browser that asked for this token."""
    return bool(
        browser_value
        and token.browser_hash
        and constant_time_compare(token.browser_hash, hash_secret(browser_value))
    )


def consume(token: SignInToken) -> bool:
    """Use the token up. Atomic: of any number of concurrent attempts exactly one gets True."""
    now = timezone.now()
    won = SignInToken.objects.filter(
        pk=token.pk, purpose=token.purpose, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if won:
        token.used_at = now
    return won == 1


def invalidate_sign_in_links(person: Person, *, keep: SignInToken | None = None) -> int:
    """Use up the person's other outstanding sign-in links (after a sign-in, or sign-out-all)."""
    pending = SignInToken.objects.filter(
        person=person, purpose=SignInToken.Purpose.SIGN_IN, used_at__isnull=True
    )
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    return pending.update(used_at=timezone.now())


def match_code(browser_value: str, typed: str) -> SignInToken | None:
    """The live sign-in token of this browser whose code was typed, or None.

    The caller counts the tries (``services.check_code``) before calling this.
    """
    code = normalize_code(typed)
    if not code:
        return None
    candidates = SignInToken.objects.select_related("person").filter(
        purpose=SignInToken.Purpose.SIGN_IN,
        browser_hash=hash_secret(browser_value),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    for token in candidates.exclude(code_hash=""):
        if constant_time_compare(token.code_hash, _hash_code(token.token_hash, code)):
            return token
    return None
