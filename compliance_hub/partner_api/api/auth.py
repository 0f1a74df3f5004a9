"""``Authorization: Bearer <key>`` authentication and the per-key rate limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from compliance_hub.core import ratelimit
from compliance_hub.partner_api.api.problems import RATE_LIMITED, ApiError
from compliance_hub.partner_api.keys import check_key
from compliance_hub.partner_api.models import ApiKey

_CACHE_ATTR = "_partner_api_key"


def rate_per_minute() -> int:
    return int(getattr(settings, "PARTNER_API_RATE_PER_MINUTE", 600))


def resolve(request: HttpRequest) -> ApiKey | None:
    """The request's active API key, or None; raises ``ApiError`` 429 over the rate limit.

    Decided once per request (the HTTP guard and ninja's auth both ask).
    """
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        key, error = cached
        if error is not None:
            raise error
        return key
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    key = check_key(token.strip()) if scheme.lower() == "bearer" else None
    error = None
    if key is not None:
        limit = rate_per_minute()
        decision = ratelimit.hit("partner-api", f"key:{key.pk}", limit=limit, window=60)
        if not decision.allowed:
            error = ApiError(
                429,
                f"This API key made more than {limit} requests this minute. "
                f"Retry after {decision.retry_after} seconds.",
                type_=RATE_LIMITED,
                title="Too many requests",
                headers={"Retry-After": str(decision.retry_after)},
            )
    setattr(request, _CACHE_ATTR, (key, error))
    if error is not None:
        raise error
    return key


class ApiKeyAuth(HttpBearer):
    """Bearer API key. Unknown and revoked keys are both 401 (no hint which)."""

    def __call__(self, request: HttpRequest) -> Any:
        return resolve(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return resolve(request)
