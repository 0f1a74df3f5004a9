"""Uploading a schedule of payments (CSV or XLSX)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from compliance_hub.audits import services
from compliance_hub.audits.forms import UploadForm
from compliance_hub.audits.parsing.limits import MAX_BYTES, MB
from compliance_hub.audits.parsing.table import FileProblem
from compliance_hub.audits.uploads import limit_upload_size
from compliance_hub.facilities.queries import Portal, portal_for


def _page(
    request: HttpRequest, portal: Portal, form: UploadForm, status: int = 200
) -> HttpResponse:
    context = {"facility": portal.facility, "portal": portal, "form": form}
    return render(request, "audits/upload.html", context, status=status)


@csrf_exempt
@login_required
def upload(request: HttpRequest, facility_id: int) -> HttpResponse:
    """GET: the form. POST: read the file and go on to the column mapping."""
    portal = portal_for(request.user, facility_id)
    if request.method == "POST":
        limit_upload_size(request)  # must come before anything reads request.POST/FILES
    return _upload(request, portal)


@csrf_protect
def _upload(request: HttpRequest, portal: Portal) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.method != "POST":
        return _page(request, portal, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "audit_upload_too_large", False):
        form.is_valid()
        form.errors.clear()
        form.add_error("schedule", f"The file is larger than the {MAX_BYTES // MB} MB limit.")
        return _page(request, portal, form, status=413)
    if not form.is_valid():
        return _page(request, portal, form, status=400)
    uploaded = form.cleaned_data["schedule"]
    try:
        pending = services.keep_upload(
            portal.facility, portal.person, uploaded.name or "schedule", uploaded.read()
        )
    except (FileProblem, services.UploadRefused) as problem:
        form.add_error("schedule", str(problem))
        refused = isinstance(problem, services.UploadRefused)
        return _page(request, portal, form, status=429 if refused else 400)
    return redirect("audits:mapping", facility_id=portal.facility.pk, token=pending.token)
