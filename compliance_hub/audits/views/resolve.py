"""Forms posted from the result page: a row's manual decision, re-running the
reconciliation, and the exposure estimate's inputs. Each redirects back (POST/redirect/GET)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from compliance_hub.audits import services
from compliance_hub.audits.forms import DecisionForm, EstimateForm
from compliance_hub.audits.views.common import reconciliation_of
from compliance_hub.audits.views.result import render_result
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import portal_for


def _back(facility_id: int, reconciliation_id: int, anchor: str, query: str = "") -> str:
    url = reverse("audits:result", args=[facility_id, reconciliation_id])
    return f"{url}{'?' + query if query else ''}#{anchor}"


@login_required
@require_POST
def decide(
    request: HttpRequest, facility_id: int, reconciliation_id: int, line: int
) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    reconciliation = reconciliation_of(portal, reconciliation_id)
    form = DecisionForm(request.POST)
    query = QueryDict(request.POST.get("next", "")[:500]).urlencode()
    back = _back(facility_id, reconciliation.pk, f"row-{line}", query)
    if not form.is_valid():
        messages.error(request, f"Row {line}: choose a contractor, or “not a contractor”.")
        return redirect(back)
    try:
        decision = services.decide(
            reconciliation, line, form.cleaned_data["choice"], person=portal.person
        )
    except services.DecisionRefused as refused:
        messages.error(request, f"Row {line}: {refused}")
        return redirect(back)
    chosen = decision.contractor.full_name if decision.contractor else "not a contractor here"
    messages.success(
        request,
        f"Saved for “{decision.written}”: {chosen}. Re-run the reconciliation to apply it.",
    )
    return redirect(back)


@login_required
@require_POST
def rerun(request: HttpRequest, facility_id: int, reconciliation_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    reconciliation = reconciliation_of(portal, reconciliation_id)
    try:
        fresh = services.rerun(reconciliation, person=portal.person, ip=client_ip(request))
    except services.RunRefused as refused:
        messages.error(request, str(refused))
        return redirect(_back(facility_id, reconciliation.pk, "totals"))
    manual = fresh.total("manual")["count"]
    messages.success(
        request,
        f"Ran {reconciliation.file_name} again against today's certificates"
        f" ({manual} row{'s' if manual != 1 else ''} by manual decision).",
    )
    return redirect("audits:result", facility_id=facility_id, reconciliation_id=fresh.pk)


@login_required
@require_POST
def estimate(request: HttpRequest, facility_id: int, reconciliation_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    reconciliation = reconciliation_of(portal, reconciliation_id)
    form = EstimateForm(request.POST)
    if not form.is_valid():
        return render_result(request, portal, reconciliation, form, status_code=400)
    services.set_estimate(
        reconciliation,
        payroll_share=form.cleaned_data["payroll_share"],
        class_rate=form.cleaned_data["class_rate"],
        person=portal.person,
    )
    messages.success(request, "The exposure estimate was updated.")
    return redirect(_back(facility_id, reconciliation.pk, "exposure"))
