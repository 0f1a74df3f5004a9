"""A facility's overview: what is new there (this month's assignments and certificates,
certificates voided or superseded lately, the last reconciliation, pending invitations)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from compliance_hub.audits.queries import reconciliations_of
from compliance_hub.certificates.queries import COUNT_CAP, RECENT_DAYS, recent
from compliance_hub.facilities import invitations
from compliance_hub.facilities.queries import portal_for


@login_required
@require_safe
def overview(request: HttpRequest, facility_id: int) -> HttpResponse:
    """Each figure links to the page that explains it (the table filtered to this month,
    the certificate history, the reconciliation, the team)."""
    portal = portal_for(request.user, facility_id)
    facility = portal.facility
    today = timezone.localdate()
    new = recent(facility, today)
    table = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    pending = list(invitations.pending_for(facility)[:50])
    context = {
        "facility": facility,
        "portal": portal,
        "today": today,
        "recent": new,
        "recent_days": RECENT_DAYS,
        "active_text": (
            f"{COUNT_CAP:,}+" if new.active_this_month > COUNT_CAP else f"{new.active_this_month:,}"
        ),
        "month_url": f"{table}?{urlencode(new.month.as_params())}",
        "reconciliation": reconciliations_of(facility).first(),
        "open_invitations": [i for i in pending if i.is_pending],
        "expired_invitations": sum(1 for i in pending if not i.is_pending),
    }
    return render(request, "facilities/overview.html", context)
