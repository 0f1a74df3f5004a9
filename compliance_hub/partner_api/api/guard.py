"""The HTTP layer around every API request: body cap, transaction, idempotency, problems.

- A body over ``PARTNER_API_MAX_BODY`` bytes is refused with 413 before it is read.
- A write (POST/PUT/PATCH/DELETE) runs in one transaction that is rolled back if the
  answer is an error, so a rejected request writes nothing.
- A POST with ``Idempotency-Key`` replays the first successful response (see idempotency).
- Any error response that is not yet problem+json (405, Django's own) is turned into one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.views.decorators.csrf import csrf_exempt

from compliance_hub.partner_api import idempotency
from compliance_hub.partner_api.api import problems
from compliance_hub.partner_api.api.auth import resolve
from compliance_hub.partner_api.models import ApiKey

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
View = Callable[..., HttpResponse]


def max_body() -> int:
    return int(getattr(settings, "PARTNER_API_MAX_BODY", 2 * 1024 * 1024))


def guarded(view: View) -> View:
    """Wrap one API view (ninja's per-path view)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problems.ApiError(400, "The Content-Length header is not a number.").response()
        if length > max_body():
            return problems.ApiError(
                413,
                f"The request body has {length} bytes; the limit is {max_body()} "
                "(send at most 1,000 assignments per bulk request).",
            ).response()
        try:
            if request.method in SAFE_METHODS:
                response = view(request, *args, **kwargs)
            else:
                response = _write(view, request, args, kwargs)
        except Http404:  # raised outside an operation (ninja's API root)
            response = problems.ApiError(404, _DETAILS[404]).response()
        return _finish(response)

    return wrapper


def _write(view: View, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
    try:
        key = resolve(request)
    except problems.ApiError as exc:
        return exc.response()
    idem = request.headers.get(idempotency.HEADER) if request.method == "POST" else None
    if key is None or idem is None:
        return _atomic(view, request, args, kwargs, None, "")
    if not idempotency.is_valid_key(idem):
        return problems.invalid(
            [(idempotency.HEADER, "Use 1-255 visible ASCII characters, e.g. a UUID.")]
        ).response()
    fingerprint = idempotency.fingerprint(request)
    stored = idempotency.find(key.partner, idem)
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        response: HttpResponse | None = _atomic(view, request, args, kwargs, key, idem, fingerprint)
    except IntegrityError:  # storing the response clashed with a concurrent twin's record
        response = None
    if response is None or response.status_code == 409:
        # A concurrent request with the same key committed first: answer as it did.
        stored = idempotency.find(key.partner, idem)
        if stored is not None:
            return _replay(stored, fingerprint)
    if response is None:
        raise IntegrityError("Idempotency record clash without a stored record.")
    return response


def _atomic(
    view: View,
    request: HttpRequest,
    args: Any,
    kwargs: Any,
    key: ApiKey | None,
    idem: str | None,
    fingerprint: str = "",
) -> HttpResponse:
    with transaction.atomic():
        response = view(request, *args, **kwargs)
        if response.status_code >= 400:
            transaction.set_rollback(True)
        elif key is not None and idem is not None:
            idempotency.store(
                key.partner, idem, fingerprint, response, secret=idempotency.holds_secret(request)
            )
    return response


def _replay(stored: Any, fingerprint: str) -> HttpResponse:
    if stored.fingerprint != fingerprint:
        return problems.ApiError(
            422,
            "This Idempotency-Key was already used for a different request. "
            "Use a new key for a new request.",
            type_=problems.IDEMPOTENCY_MISMATCH,
            title="Idempotency key reused",
            errors=[(idempotency.HEADER, "Already used for a different request.")],
        ).response()
    return idempotency.replay(stored)


def _finish(response: HttpResponse) -> HttpResponse:
    content_type = response.get("Content-Type", "")
    if response.status_code >= 400 and not content_type.startswith(problems.CONTENT_TYPE):
        allow = response.get("Allow")
        response = problems.ApiError(
            response.status_code,
            f"Use {allow} on this address."
            if allow
            else _DETAILS.get(response.status_code, "The request failed."),
            headers={"Allow": allow} if allow else None,
        ).response()
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "no-store"
    return response


_DETAILS = {
    404: "There is nothing at this address. See /api/v1/docs for the API's addresses.",
    405: "This method is not allowed here.",
}


def guard_patterns(
    patterns: list[URLPattern | URLResolver],
) -> list[URLPattern | URLResolver]:
    """Ninja's URL patterns with each view wrapped by ``guarded``."""
    out: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            out.append(
                URLPattern(
                    pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name
                )
            )
        else:
            out.append(pattern)
    return out


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under /api/v1/: a problem+json 404."""
    return _finish(problems.ApiError(404, _DETAILS[404]).response())
