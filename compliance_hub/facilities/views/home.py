"""The home page: sends each person where they belong (their facility, the console, the admin)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from compliance_hub.auditors.queries import active_of as auditor_grants_of
from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.facilities.queries import memberships_of, open_invitations

PARTNER_CONSOLE_URL = "/partner/"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: sign in. Facility people: their last (or first) facility's certificates;
    an auditor: the audited facility's.

    Anyone else with invitations waiting answers them first; partner staff go to the partner
    console, operators to the admin; anyone else learns how to get access.
    """
    user = request.user
    if not user.is_authenticated:
        try:
            return redirect(reverse("accounts:sign_in"))
        except NoReverseMatch:
            return render(request, "facilities/home.html", {"state": "welcome"})
    memberships = list(
        memberships_of(user).order_by("facility__name", "facility_id").only("facility_id")
    )
    if memberships:
        ids = [m.facility_id for m in memberships]
        last = getattr(user, "last_facility_id", None)
        target = last if last in ids else ids[0]
        return redirect("certificates:table", facility_id=target)
    audited = auditor_grants_of(user).first()  # an auditor: the facility they audit
    if audited is not None:
        return redirect("certificates:table", facility_id=audited.facility_id)
    if open_invitations(user.email).exists():
        return redirect("facilities:pending")
    if PartnerStaff.objects.filter(person=user).exists():
        return redirect(PARTNER_CONSOLE_URL)
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "facilities/home.html", {"state": "no_facilities"})
