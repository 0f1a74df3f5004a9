"""Template helpers for the facility portal."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from compliance_hub.certificates.forms import human_date

register = template.Library()


@register.filter
def hubdate(value: date | datetime | None) -> SafeString | str:
    """``<time datetime="2026-03-04">Mar 4, 2026</time>``: unambiguous for people and machines."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    else:
        day = value
    # Digits, ASCII month abbreviations and punctuation only: nothing to escape.
    return mark_safe(f'<time datetime="{day.isoformat()}">{human_date(day)}</time>')  # noqa: S308
