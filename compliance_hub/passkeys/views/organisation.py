"""The policy switch and passkey recovery: a facility's primary contact on the team page, the
partner in its console (for each facility's people, and for its own staff)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.accounts.models import Person
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.invitations import By
from compliance_hub.facilities.models import Facility, PartnerStaff
from compliance_hub.facilities.queries import current_member, person_of, portal_for
from compliance_hub.partner_api.console.access import facility_for, partner_ids, staff_required
from compliance_hub.passkeys import policy, services
from compliance_hub.passkeys.forms import PolicyForm
from compliance_hub.passkeys.models import Passkey


def _turned(required: bool, where: str) -> str:
    if required:
        return (
            f"{where} now requires a passkey or single sign-on: after the e-mailed link, "
            "people set up or use a passkey."
        )
    return f"{where} no longer requires a passkey or single sign-on."


def _turned_at(facility: Facility, required: bool, *, partner: bool) -> str:
    """What changed at ``facility`` after one of its two switches (the partner's, or its own)
    was set to ``required``: it stays required while the other switch is on."""
    if required or not facility.strong_sign_in_required:
        return _turned(required, facility.name)
    if partner:
        return (
            f"You no longer require a passkey or single sign-on at {facility.name}, but its "
            "primary contacts still do."
        )
    return (
        f"You no longer require a passkey or single sign-on at {facility.name}, but "
        f"{facility.partner.name} (the staffing partner) still does."
    )


def _switch(request: HttpRequest) -> bool | None:
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose on or off.")
        return None
    return bool(form.cleaned_data["required"])


def _reset(request: HttpRequest, person: Person, by: By, facility: Facility | None) -> None:
    """Reset ``person``'s passkeys and say so, or say why not (``services.reset``)."""
    try:
        count = services.reset(person, by=by, facility=facility)
    except services.ResetRefused:
        messages.error(
            request,
            f"The passkeys of {person.email} were not reset: another organisation they "
            "belong to requires a passkey or single sign-on, so only that organisation or "
            f"the operator of {settings.HUB_NAME} can reset them.",
        )
        return
    messages.success(request, _reset_message(person.email, count))


def _reset_message(email: str, count: int) -> str:
    if not count:
        return f"{email} had no passkeys. They set one up at their next sign-in where required."
    return (
        f"The passkeys of {email} were removed ({count}). They set up a new one at their "
        "next sign-in where required, and we told them by e-mail."
    )


# --- the team page (primary contacts) ---------------------------------------------------


@login_required
@require_POST
def team_policy(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    if not portal.is_primary:
        raise PermissionDenied("Only primary contacts change this")
    required = _switch(request)
    if required is not None:
        by = By(portal.person, ip=client_ip(request))
        if services.set_facility_policy(portal.facility, required, by=by):
            messages.success(request, _turned_at(portal.facility, required, partner=False))
        policy.forget(request)  # the person's own session follows the new rule at once
    return redirect(reverse("facilities:team", kwargs={"facility_id": facility_id}) + "#sign-in")


@login_required
@require_POST
def team_reset(request: HttpRequest, facility_id: int, membership_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    if not portal.is_primary:
        raise PermissionDenied("Only primary contacts reset passkeys")
    target = current_member(portal.facility, membership_id)
    if target is None:
        raise Http404("No such member")
    _reset(request, target.person, By(portal.person, ip=client_ip(request)), portal.facility)
    return redirect("facilities:team", facility_id=facility_id)


# --- the partner console ------------------------------------------------------------------


def _by_staff(request: HttpRequest, partner: object) -> By:
    return By(partner=partner, actor=person_of(request.user), ip=client_ip(request))  # type: ignore[arg-type]


@require_POST
@staff_required
def console_facility_policy(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = facility_for(request, facility_id)
    required = _switch(request)
    if required is not None:
        if services.set_facility_policy(
            facility, required, by=_by_staff(request, facility.partner)
        ):
            messages.success(request, _turned_at(facility, required, partner=True))
        policy.forget(request)
    return redirect(reverse("partner_api:console_facility", args=[facility.pk]) + "#sign-in")


@require_POST
@staff_required
def console_member_reset(
    request: HttpRequest, facility_id: int, membership_id: int
) -> HttpResponse:
    facility: Facility = facility_for(request, facility_id)
    target = current_member(facility, membership_id)
    if target is None:
        raise Http404("No such member")
    _reset(request, target.person, _by_staff(request, facility.partner), facility)
    return redirect("partner_api:console_facility", facility.pk)


@require_GET
@staff_required
def console_staff(request: HttpRequest) -> HttpResponse:
    """Sign-in security for the partner's own staff: the policy switch, each person's passkeys."""
    staff = (
        PartnerStaff.objects.filter(partner_id__in=partner_ids(request))
        .select_related("person", "partner")
        .order_by("partner__name", "person__email")
    )
    counts: dict[int, int] = {}
    for person_id in Passkey.objects.filter(person__partner_roles__in=staff).values_list(
        "person_id", flat=True
    ):
        counts[person_id] = counts.get(person_id, 0) + 1
    rows = [{"staff": s, "passkeys": counts.get(s.person_id, 0)} for s in staff]
    context = {"partners": request.partners, "rows": rows}  # type: ignore[attr-defined]
    return render(request, "passkeys/console_staff.html", context)


@require_POST
@staff_required
def console_partner_policy(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = next((p for p in request.partners if p.pk == partner_id), None)  # type: ignore[attr-defined]
    if partner is None:
        raise Http404("No such partner")
    required = _switch(request)
    if required is not None:
        if services.set_partner_policy(partner, required, by=_by_staff(request, partner)):
            messages.success(request, _turned(required, f"{partner.name} (staff)"))
        policy.forget(request)
    return redirect("passkeys:console_staff")


@require_POST
@staff_required
def console_staff_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff = get_object_or_404(
        PartnerStaff.objects.select_related("person", "partner"),
        pk=staff_id,
        partner_id__in=partner_ids(request),
    )
    _reset(request, staff.person, _by_staff(request, staff.partner), None)
    return redirect("passkeys:console_staff")
