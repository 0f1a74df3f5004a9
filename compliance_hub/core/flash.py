"""After a form posts: how it went, as a message on the page the person is sent back to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


@contextmanager
def outcome(request: HttpRequest, success: str, *refusals: type[Exception]) -> Iterator[None]:
    """Run the block: a ``ValidationError`` (or one of ``refusals``) becomes an error message
    and is not raised further; otherwise ``success`` is shown."""
    try:
        yield
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except refusals as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
