"""Answers of the ceremony endpoints: JSON, never cached, never a 5xx for bad input."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from compliance_hub.accounts import sessions
from compliance_hub.passkeys.ceremony import CeremonyError, parse_body


def answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    sessions.private(response)
    return response


def refused(message: str, status: int = 400) -> JsonResponse:
    return answer({"ok": False, "message": message}, status=status)


def body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        return parse_body(request.body)
    except CeremonyError:
        return None
