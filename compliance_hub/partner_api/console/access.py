"""Who may use the partner console, and which partners and facilities they see.

Only people with a ``PartnerStaff`` row; anyone else signed in gets a 404 (no hint that the
console exists), anonymous visitors the sign-in page. A facility or key of another partner
is a 404 too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from compliance_hub.facilities.models import Facility, Partner
from compliance_hub.partner_api.models import ApiKey


def partners_of(person: Any) -> list[Partner]:
    """The partners ``person`` works for, by name."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return []
    return list(Partner.objects.filter(staff__person=person).order_by("name", "id"))


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Sign-in required; then 404 unless partner staff. Sets ``request.partners``."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        partners = partners_of(request.user)
        if not partners:
            raise Http404("No such page")
        request.partners = partners  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def partner_ids(request: HttpRequest) -> list[int]:
    return [p.pk for p in request.partners]  # type: ignore[attr-defined]


def facility_for(request: HttpRequest, facility_id: int) -> Facility:
    """One of the staff person's partners' facilities, else 404."""
    return get_object_or_404(
        Facility.objects.select_related("partner"),
        pk=facility_id,
        partner_id__in=partner_ids(request),
    )


def key_for(request: HttpRequest, key_id: int) -> ApiKey:
    """One of the staff person's partners' API keys, else 404."""
    return get_object_or_404(
        ApiKey.objects.select_related("partner"), pk=key_id, partner_id__in=partner_ids(request)
    )
