"""What the facility and partner log pages share: filters, paging, the CSV response."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from compliance_hub.activity import export, queries
from compliance_hub.activity.filters import ActivityFilterForm, ActivityFilters
from compliance_hub.activity.kinds import describe, headline
from compliance_hub.activity.models import Activity


def url(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def error_summary(form: ActivityFilterForm) -> list[dict[str, Any]]:
    return [
        {"id": form[name].auto_id, "label": form.fields[name].label, "errors": list(errors)}
        for name, errors in form.errors.items()
        if name in form.fields
    ]


def page_context(
    request: HttpRequest,
    qs: QuerySet[Activity],
    filters: ActivityFilters,
    form: ActivityFilterForm,
    base: str,
) -> dict[str, Any]:
    """Rows of the requested keyset page and the links around it."""
    cursor_refused = False
    after = before = None
    try:
        if request.GET.get("before"):
            before = queries.decode_cursor(request.GET["before"])
        elif request.GET.get("after"):
            after = queries.decode_cursor(request.GET["after"])
    except queries.BadCursor:
        cursor_refused = True
    result = queries.page(qs, after=after, before=before)
    if before is not None and not result.rows:  # nothing newer any more: the newest page
        result = queries.page(qs)
        before = None
    params = filters.as_params()
    return {
        "form": form,
        "filters": filters,
        "error_summary": error_summary(form),
        "cursor_refused": cursor_refused,
        "rows": [{"a": a, "what": headline(a), "summary": describe(a)} for a in result.rows],
        "is_first": after is None and before is None,
        "first_url": url(base, params),
        "newer_url": url(base, {**params, "before": result.newer}) if result.newer else "",
        "older_url": url(base, {**params, "after": result.older}) if result.older else "",
        "clear_url": base,
        "export_query": filters.as_querystring(),
    }


def csv_response(qs: QuerySet[Activity], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.lines(qs), content_type="text/csv; charset=utf-8")
    filename = f"activity-{name}-{date.today().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
