"""Template helpers for the facility portal."""

from __future__ import annotations

from typing import Any

from django import template

from compliance_hub.core.dates import hubdate

register = template.Library()
register.filter("hubdate", hubdate)


@register.inclusion_tag("certificates/_date_field.html")
def date_field(field: Any, describedby: str = "") -> dict[str, Any]:
    """A labelled ``<input type="date">`` with its errors, for a filter form.

    ``field`` is a bound form field; ``describedby`` the id of a help text, if any.
    """
    return {"field": field, "describedby": describedby}
