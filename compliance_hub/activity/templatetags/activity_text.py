"""How an activity record reads on a page: ``{{ a|activity_headline }}``, ``|activity_summary``."""

from __future__ import annotations

from django import template

from compliance_hub.activity import kinds
from compliance_hub.activity.models import Activity

register = template.Library()


@register.filter
def activity_headline(activity: Activity) -> str:
    return kinds.headline(activity)


@register.filter
def activity_summary(activity: Activity) -> str:
    return kinds.describe(activity)
