"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def hub(request: HttpRequest) -> dict[str, Any]:
    return {"HUB_NAME": settings.HUB_NAME, "DEBUG": settings.DEBUG}
