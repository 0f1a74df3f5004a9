"""Dates as every page shows them: ``Mar 4, 2026``, unambiguous in any locale."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(value: date) -> str:
    """``Mar 4, 2026``: the format the portal shows dates in."""
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def hubdate(value: date | datetime | None) -> SafeString | str:
    """``<time datetime="2026-03-04">Mar 4, 2026</time>``: for people and machines alike.

    A template filter in both template engines (``hubdate``); a moment is shown as the
    local date it falls on.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _time_tag(value)


@lru_cache(maxsize=4096)
def _time_tag(day: date) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), human_date(day))
