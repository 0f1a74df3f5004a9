"""The NinjaAPI object: authentication, error handlers, OpenAPI tweaks, routers."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from compliance_hub.certificates.issuance import ProgramIncomplete
from compliance_hub.certificates.services import AssignmentsRejected
from compliance_hub.facilities.invitations import InvitationRateLimited
from compliance_hub.partner_api.api import problems
from compliance_hub.partner_api.api.auth import ApiKeyAuth

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Feed Compliance Hub from your own systems: facilities, contractors and assignments, addressed
by your own `external_id`s. Every active assignment has a current certificate of insurance.

Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457
`application/problem+json` with a list of field `errors`. POSTs honour `Idempotency-Key`.
The [API guide](/api/guide/) takes you from a key to the first certificate with curl.
"""


class HubAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's schema, with error responses declared as ``application/problem+json``."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {problems.CONTENT_TYPE: content["application/json"]}
        return schema


api = HubAPI(
    title="Compliance Hub partner API",
    version="1",
    description=DESCRIPTION,
    auth=ApiKeyAuth(),
    urls_namespace="partner_api:api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(problems.ApiError)
def _api_error(request: HttpRequest, exc: problems.ApiError) -> HttpResponse:
    return exc.response()


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        (problems.field_path(e.get("loc", ())), problems.clean_message(str(e.get("msg", ""))))
        for e in exc.errors
    ]
    return problems.invalid(errors).response()


@api.exception_handler(DjangoValidationError)
def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors, general = problems.django_errors(exc)
    return problems.invalid(errors, general).response()


@api.exception_handler(AssignmentsRejected)
def _bulk_rejected(request: HttpRequest, exc: AssignmentsRejected) -> HttpResponse:
    errors = [
        (f"items[{index}].{field}" if index is not None else field, message)
        for index, field, message in exc.errors
    ]
    return problems.invalid(
        errors,
        f"{len({i for i, _, _ in exc.errors})} item(s) are invalid; nothing was changed.",
    ).response()


@api.exception_handler(ProgramIncomplete)
def _program_incomplete(request: HttpRequest, exc: ProgramIncomplete) -> HttpResponse:
    return problems.ApiError(
        422,
        f"{exc} Nothing was changed.",
        type_=problems.PROGRAM_INCOMPLETE,
        title="Insurance program incomplete",
        errors=[("program", f"Missing: {what}.") for what in exc.missing],
    ).response()


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problems.ApiError(
        401,
        "Send a valid API key: 'Authorization: Bearer chk_live_…'. "
        "Unknown and revoked keys are refused alike.",
        headers={"WWW-Authenticate": 'Bearer realm="compliance-hub"'},
    ).response()


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return problems.ApiError(
            400,
            "The request body is not valid JSON.",
            type_=problems.MALFORMED,
            title="Malformed request",
        ).response()
    return problems.ApiError(exc.status_code, str(exc)).response()


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.ApiError(404, str(exc) or "Not found.").response()


@api.exception_handler(InvitationRateLimited)
def _invitations_limited(request: HttpRequest, exc: InvitationRateLimited) -> HttpResponse:
    return problems.ApiError(
        429,
        str(exc),
        type_=problems.RATE_LIMITED,
        title="Too many invitations",
        headers={"Retry-After": str(exc.retry_after)},
    ).response()


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    logger.warning("API write conflict: %s", exc)
    return problems.ApiError(
        409,
        "A concurrent request changed the same objects; nothing was changed. Retry.",
        type_=problems.CONFLICT,
        title="Conflict",
    ).response()


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Partner API error on %s %s", request.method, request.path)
    return problems.ApiError(
        500, "Something went wrong on our side; nothing was changed. Please retry later."
    ).response()


def _register_routers() -> None:
    from compliance_hub.partner_api.api import (
        assignments,
        certificates,
        contractors,
        facilities,
        people,
        program,
        webhooks,
    )

    for module in (facilities, contractors, assignments, certificates, people, program, webhooks):
        api.add_router("", module.router)


_register_routers()
