"""Downloading the table: CSV, XLSX, and the bulk ZIP of its certificates (where enabled).

Each view (``_export``): the person's membership of the facility (else 404), for the ZIP the
partner's switch (else 403), the filters from the URL (invalid ones: a 400 page with the
table's own errors, never a silently wider export); then ``begin_export`` (access rule, count,
Activity) and the streamed file, or, when no row matches, a page saying so (no empty file).
Business rules live in ``exports``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from compliance_hub.certificates.exports import services
from compliance_hub.certificates.exports.bulk import BulkRequest, stream_bulk_zip
from compliance_hub.certificates.exports.csv_export import (
    copy_available,
    stream_csv,
    stream_csv_copy,
)
from compliance_hub.certificates.exports.filenames import attachment
from compliance_hub.certificates.exports.rows import export_rows
from compliance_hub.certificates.exports.xlsx_export import MAX_ROWS, TooManyRows, stream_xlsx
from compliance_hub.certificates.filters import error_summary
from compliance_hub.certificates.forms import TableFilterForm
from compliance_hub.certificates.queries import TableFilters, parse_filters
from compliance_hub.core import replica
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import Portal, portal_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ExportView = Callable[[HttpRequest, Portal, TableFilters], HttpResponseBase]


def _page(
    request: HttpRequest, portal: Portal, template: str, status: int, **extra: Any
) -> HttpResponse:
    table = reverse("certificates:table", kwargs={"facility_id": portal.facility.pk})
    query = request.GET.urlencode()
    context = {
        "facility": portal.facility,
        "portal": portal,
        "table_url": f"{table}?{query}" if query else table,
        **extra,
    }
    return render(request, template, context, status=status)


def _invalid(request: HttpRequest, portal: Portal, form: TableFilterForm) -> HttpResponse:
    """400: the URL's filters do not all make sense; exporting the rest would export more.
    The errors are the table's own (``error_summary``), word for word."""
    errors = error_summary(form)
    return _page(request, portal, "certificates/export_invalid_filters.html", 400, errors=errors)


def _nothing(request: HttpRequest, portal: Portal, filters: TableFilters) -> HttpResponse:
    """No row matches: say so on a page rather than hand out an empty file."""
    return _page(
        request,
        portal,
        "certificates/export_empty.html",
        200,
        filters=filters,
        described=filters.describe(),
    )


def _bulk_disabled(request: HttpRequest, portal: Portal) -> HttpResponse:
    return _page(request, portal, "certificates/export_bulk_disabled.html", 403)


def _export(*, bulk: bool = False) -> Callable[[ExportView], Callable[..., HttpResponseBase]]:
    """Scope a download view as the module says; it is called with the portal and filters."""

    def decorate(view: ExportView) -> Callable[..., HttpResponseBase]:
        @login_required
        @require_GET
        @functools.wraps(view)
        def wrapper(request: HttpRequest, facility_id: int) -> HttpResponseBase:
            portal = portal_for(request.user, facility_id, auditor=True)
            if bulk and not services.bulk_download_allowed(portal.facility):
                return _bulk_disabled(request, portal)
            filters, form = parse_filters(request.GET)
            if form.errors:
                return _invalid(request, portal, form)
            filters = portal.scoped(filters)  # an auditor's: their audit period only
            try:
                # Access is decided above, on the primary; the rows (and the streamed body)
                # may come from the replica (core/replica.py).
                return replica.heavy_read_view(view)(request, portal, filters)
            except services.NothingToExport:
                return _nothing(request, portal, filters)

        return wrapper

    return decorate


def _no_store(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = attachment(filename)
    response["Cache-Control"] = "private, no-store"
    return response


@_export()
def export_csv(request: HttpRequest, portal: Portal, filters: TableFilters) -> HttpResponseBase:
    """Every row matching the filters as CSV, streamed as it is read."""
    start = services.begin_export(
        request.user, client_ip(request), portal.facility, filters, "csv", **portal.recorded
    )
    if copy_available():
        content = stream_csv_copy(portal.facility, filters)
    else:
        content = stream_csv(export_rows(portal.facility, filters))
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    return _no_store(response, start.filename)


@_export()
def export_xlsx(request: HttpRequest, portal: Portal, filters: TableFilters) -> HttpResponseBase:
    """Every row matching the filters as an XLSX workbook, streamed as it is written."""
    try:
        start = services.begin_export(
            request.user, client_ip(request), portal.facility, filters, "xlsx", **portal.recorded
        )
    except TooManyRows:
        return _page(
            request, portal, "certificates/export_too_many.html", 400, max_rows=f"{MAX_ROWS:,}"
        )
    workbook = stream_xlsx(
        export_rows(portal.facility, filters),
        moment=start.moment,
        title=f"Certificates: {portal.facility.name}",
        subject="; ".join(filters.describe()) or "All assignments",
    )
    response = StreamingHttpResponse(workbook, content_type=XLSX_TYPE)
    return _no_store(response, start.filename)


@_export(bulk=True)
def bulk_download(request: HttpRequest, portal: Portal, filters: TableFilters) -> HttpResponseBase:
    """A ZIP of every certificate matching the filters; 403 unless the partner enabled it."""
    try:
        start = services.begin_export(
            request.user, client_ip(request), portal.facility, filters, "zip", **portal.recorded
        )
    except services.BulkDownloadDisabled:  # turned off a moment ago
        return _bulk_disabled(request, portal)
    bulk = BulkRequest(
        facility=portal.facility,
        filters=filters,
        exported_by=getattr(request.user, "email", ""),
        moment=start.moment,
    )
    response = StreamingHttpResponse(stream_bulk_zip(bulk), content_type="application/zip")
    return _no_store(response, start.filename)
