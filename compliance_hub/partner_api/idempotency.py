"""``Idempotency-Key`` on POST: the first successful response is stored and replayed.

A record is kept per partner and key for ``RETENTION``. The same key with the same method,
path and body replays the stored response (header ``Idempotent-Replayed: true``); with a
different request it is refused. Failed requests are not stored, so they can be retried.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.models import IdempotencyRecord

RETENTION = timedelta(hours=24)
HEADER = "Idempotency-Key"
_VALID = re.compile(r"[\x21-\x7e]{1,255}")


def is_valid_key(value: str) -> bool:
    """1-255 visible ASCII characters (a UUID is a good choice)."""
    return _VALID.fullmatch(value) is not None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def find(partner: Partner, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(
        partner=partner, key=key, created_at__gte=timezone.now() - RETENTION
    ).first()


def store(partner: Partner, key: str, fingerprint_: str, response: HttpResponse) -> None:
    """Keep ``response`` for replay (call inside the request's transaction)."""
    IdempotencyRecord.objects.filter(
        partner=partner, created_at__lt=timezone.now() - RETENTION
    ).delete()
    IdempotencyRecord.objects.create(
        partner=partner,
        key=key,
        fingerprint=fingerprint_,
        status_code=response.status_code,
        content_type=response.get("Content-Type", "application/json"),
        body=response.content,
    )


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response
