"""RFC 9457 problem details: the one shape of every error the API returns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from pydantic import BaseModel

CONTENT_TYPE = "application/problem+json"

# Problem types beyond the plain HTTP status ("about:blank"); listed in the API guide
# (partner_api/guide/api.md, served at /api/guide/).
VALIDATION = "urn:compliance-hub:problem:validation-error"
MALFORMED = "urn:compliance-hub:problem:malformed-request"
IDEMPOTENCY_MISMATCH = "urn:compliance-hub:problem:idempotency-key-reused"
CONFLICT = "urn:compliance-hub:problem:conflict"
SHOWN_ONCE = "urn:compliance-hub:problem:secret-already-shown"
RATE_LIMITED = "urn:compliance-hub:problem:rate-limited"
PROGRAM_INCOMPLETE = "urn:compliance-hub:problem:program-incomplete"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error: ``type`` identifies the kind, ``errors`` lists what is wrong with which field."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError]


class ApiError(Exception):
    """Raise anywhere in an API handler to answer with a problem; ``response()`` is that answer."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        title: str | None = None,
        errors: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.title = title
        self.errors = list(errors)
        self.headers = dict(headers or {})

    def response(self) -> HttpResponse:
        """The ``application/problem+json`` response."""
        body = {
            "type": self.type,
            "title": self.title or HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
            "errors": [{"field": f, "message": m} for f, m in self.errors],
        }
        resp = HttpResponse(json.dumps(body), status=self.status, content_type=CONTENT_TYPE)
        for name, value in self.headers.items():
            resp[name] = value
        return resp


def invalid(errors: Sequence[tuple[str, str]], detail: str = "") -> ApiError:
    """A 422 listing ``(field, message)`` pairs."""
    return ApiError(
        422,
        detail or "The request has invalid fields; nothing was changed.",
        type_=VALIDATION,
        title="Invalid request",
        errors=errors,
    )


def field_path(loc: Sequence[Any]) -> str:
    """``("body", "payload", "items", 3, "end_date")`` -> ``"items[3].end_date"``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def clean_message(message: str) -> str:
    """Pydantic's wording without its ``Value error, `` prefix."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def django_errors(
    exc: DjangoValidationError, prefix: str = ""
) -> tuple[list[tuple[str, str]], str]:
    """Field errors and non-field text from a Django ``ValidationError``."""
    if not hasattr(exc, "error_dict"):
        return [], " ".join(exc.messages)
    fields: list[tuple[str, str]] = []
    general: list[str] = []
    for name, messages in exc.message_dict.items():
        if name == "__all__":
            general.extend(messages)
        else:
            fields.extend((f"{prefix}{name}", m) for m in messages)
    return fields, " ".join(general)
