"""Creating, checking and revoking partner API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.models import ApiKey

KEY_PREFIX = "chk_live_"
# How stale ``last_used_at`` may get before a request writes it again (one write a minute).
LAST_USED_RESOLUTION = timedelta(minutes=1)
_ALPHANUMERIC = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_raw_key() -> tuple[str, str]:
    """A fresh ``(prefix, raw key)``: 8 visible characters, then 32 url-safe random bytes."""
    visible = "".join(secrets.choice(_ALPHANUMERIC) for _ in range(8))
    prefix = f"{KEY_PREFIX}{visible}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def create_key(
    partner: Partner,
    *,
    name: str = "",
    created_by: Any = None,
    actor_label: str = "",
    ip: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for ``partner``; return it and the raw key, which is never shown again."""
    with transaction.atomic():
        while True:
            prefix, raw = _new_raw_key()
            if not ApiKey.objects.filter(prefix=prefix).exists():
                break
        key = ApiKey.objects.create(
            partner=partner,
            name=name.strip()[:100],
            prefix=prefix,
            key_hash=hash_key(raw),
            created_by=created_by,
        )
        record(
            Activity.Verb.API_KEY_CREATED,
            ip=ip,
            actor=created_by,
            actor_label=actor_label or (created_by.email if created_by else "operator"),
            partner=partner,
            target=prefix,
            detail={"key": key.pk, "name": key.name},
        )
    return key, raw


def revoke_key(
    key: ApiKey, *, by: Any = None, actor_label: str = "", ip: str | None = None
) -> bool:
    """Revoke ``key`` at once. Returns False if it was already revoked."""
    now = timezone.now()
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        if not changed:
            return False
        record(
            Activity.Verb.API_KEY_REVOKED,
            ip=ip,
            actor=by,
            actor_label=actor_label or (by.email if by else "operator"),
            partner=key.partner_id,
            target=key.prefix,
            detail={"key": key.pk, "name": key.name},
        )
    key.revoked_at = now
    key.revoked_by = by
    return True


def check_key(raw: str) -> ApiKey | None:
    """The active key ``raw`` is, or None. Records its use (at most once a minute)."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = (
        ApiKey.objects.select_related("partner")
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
