"""``Idempotency-Key`` on POST: the first successful response is stored and replayed.

A record is kept per partner and key for ``RETENTION``. The same key with the same method,
path and body replays the stored response (header ``Idempotent-Replayed: true``); with a
different request it is refused. Failed requests are not stored, so they can be retried.

An answer that carries a secret (a webhook signing secret, marked with ``carries_secret``) is
shown once and never stored: its record keeps a 409 problem saying the secret was already
shown, which is what a retry with the same key gets (rotate the secret to get a new one).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.api import problems
from compliance_hub.partner_api.models import IdempotencyRecord

RETENTION = timedelta(hours=24)
HEADER = "Idempotency-Key"
_VALID = re.compile(r"[\x21-\x7e]{1,255}")
# The request attribute ``carries_secret`` sets; a secret must never rest in a record.
_WITHHELD = "_idempotency_withheld"


def is_valid_key(value: str) -> bool:
    """1-255 visible ASCII characters (a UUID is a good choice)."""
    return _VALID.fullmatch(value) is not None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def carries_secret(request: HttpRequest) -> None:
    """Mark the answer to ``request`` as holding a secret shown once: it is not kept."""
    setattr(request, _WITHHELD, True)


def holds_secret(request: HttpRequest) -> bool:
    return bool(getattr(request, _WITHHELD, False))


def _secret_shown() -> HttpResponse:
    """The problem a retry of a secret-bearing request gets."""
    return problems.ApiError(
        409,
        "This request succeeded and its answer held a signing secret, which is shown only "
        "once and is not kept. Rotate the endpoint's secret to get a new one.",
        type_=problems.SHOWN_ONCE,
        title="Secret already shown",
        errors=[(HEADER, "Its answer held a secret, shown only once.")],
    ).response()


def find(partner: Partner, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(
        partner=partner, key=key, created_at__gte=timezone.now() - RETENTION
    ).first()


def store(
    partner: Partner,
    key: str,
    fingerprint_: str,
    response: HttpResponse,
    *,
    secret: bool = False,
) -> None:
    """Keep ``response`` for replay (call inside the request's transaction); with ``secret``
    (see ``carries_secret``) keep only the "secret already shown" problem in its place."""
    IdempotencyRecord.objects.filter(
        partner=partner, created_at__lt=timezone.now() - RETENTION
    ).delete()
    if secret:
        response = _secret_shown()
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
