"""Uploading a schedule of payments (CSV or XLSX)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from compliance_hub.audits import links, services
from compliance_hub.audits.forms import UploadForm
from compliance_hub.audits.parsing.table import MAX_BYTES, FileProblem
from compliance_hub.audits.uploads import limit_upload_size
from compliance_hub.audits.views.common import facility_of, person_of
from compliance_hub.facilities.models import Facility


def _page(
    request: HttpRequest, facility: Facility, form: UploadForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "audits/upload.html",
        {"facility": facility, "form": form, "table_url": links.table_url(facility.pk)},
        status=status,
    )


@csrf_exempt
@login_required
def upload(request: HttpRequest, facility_id: int) -> HttpResponse:
    """GET: the form. POST: read the file and go on to the column mapping."""
    facility = facility_of(request, facility_id)
    if request.method == "POST":
        limit_upload_size(request)  # must come before anything reads request.POST/FILES
    return _upload(request, facility)


@csrf_protect
def _upload(request: HttpRequest, facility: Facility) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.method != "POST":
        return _page(request, facility, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "audit_upload_too_large", False):
        form.is_valid()
        form.errors.clear()
        form.add_error(
            "schedule", f"The file is larger than the {MAX_BYTES // 1024 // 1024} MB limit."
        )
        return _page(request, facility, form, status=413)
    if not form.is_valid():
        return _page(request, facility, form, status=400)
    uploaded = form.cleaned_data["schedule"]
    try:
        pending = services.keep_upload(
            facility, person_of(request), uploaded.name or "schedule", uploaded.read()
        )
    except FileProblem as problem:
        form.add_error("schedule", str(problem))
        return _page(request, facility, form, status=400)
    return redirect("audits:mapping", facility_id=facility.pk, token=pending.token)
