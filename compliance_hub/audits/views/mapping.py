"""The column mapping and preview step, and running the reconciliation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from compliance_hub.audits import services
from compliance_hub.audits.columns import column_letter, guess_mapping
from compliance_hub.audits.forms import MappingForm
from compliance_hub.audits.models import PendingUpload
from compliance_hub.audits.parsing.table import Table
from compliance_hub.audits.parsing.text import DELIMITER_NAMES
from compliance_hub.audits.schedule import Schedule, read_schedule_rows
from compliance_hub.audits.views.common import upload_of
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import Portal, portal_for

PREVIEW_ROWS = 10


def _preview(table: Table, schedule: Schedule | None) -> dict[str, Any]:
    raw = [
        (line, [cells[i] if i < len(cells) else "" for i in range(len(table.header))])
        for line, cells in table.rows[:PREVIEW_ROWS]
    ]
    context: dict[str, Any] = {
        "columns": [(column_letter(i), h) for i, h in enumerate(table.header)],
        "raw_rows": raw,
    }
    if schedule is not None:
        invalid = schedule.invalid
        duplicates = schedule.duplicates
        context.update(
            {
                "schedule": schedule,
                "parsed_rows": schedule.rows[:PREVIEW_ROWS],
                "invalid_count": len(invalid),
                "invalid_rows": invalid[: services.SHOWN_ROW_ERRORS],
                "duplicate_count": len(duplicates),
                "duplicate_rows": duplicates[: services.SHOWN_ROW_ERRORS],
            }
        )
    return context


def _render(
    request: HttpRequest,
    portal: Portal,
    upload: PendingUpload,
    table: Table,
    form: MappingForm,
    schedule: Schedule | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "facility": portal.facility,
        "portal": portal,
        "upload": upload,
        "table": table,
        "form": form,
        "delimiter_name": DELIMITER_NAMES.get(table.delimiter, table.delimiter),
        **_preview(table, schedule),
    }
    return render(request, "audits/mapping.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mapping(request: HttpRequest, facility_id: int, token: UUID) -> HttpResponse:
    """GET: the guessed mapping and its preview. POST: preview again, run, or discard."""
    portal = portal_for(request.user, facility_id)
    facility = portal.facility
    upload = upload_of(portal, token)
    table = services.table_of(upload)
    if request.method != "POST":
        guessed = guess_mapping(table.header)
        form = MappingForm(initial=MappingForm.initial_for(guessed), header=table.header)
        # Without a header nothing is guessed: the person chooses before any preview.
        schedule = None if table.headerless else read_schedule_rows(table, guessed)
        return _render(request, portal, upload, table, form, schedule)
    action = request.POST.get("action", "preview")
    if action == "discard":
        upload.delete()
        messages.success(request, f"The upload of {upload.file_name} was discarded.")
        return redirect("audits:list", facility_id=facility.pk)
    form = MappingForm(request.POST, header=table.header)
    if not form.is_valid():
        return _render(request, portal, upload, table, form, None, status=400)
    schedule = read_schedule_rows(table, form.mapping)
    if action != "run":
        return _render(request, portal, upload, table, form, schedule)
    try:
        reconciliation = services.run(
            upload,
            form.mapping,
            include_unreadable=form.cleaned_data["include_unreadable"],
            person=portal.person,
            ip=client_ip(request),
        )
    except services.RunRefused as refused:
        form.add_error(None, str(refused))
        return _render(request, portal, upload, table, form, schedule, status=400)
    messages.success(
        request, f"Reconciled {reconciliation.row_count:,} payment rows from {upload.file_name}."
    )
    return redirect("audits:result", facility_id=facility.pk, reconciliation_id=reconciliation.pk)
