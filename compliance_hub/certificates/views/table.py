"""The facility certificate table, and the facility switcher that leads to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from compliance_hub.activity.models import Activity
from compliance_hub.certificates.filters import error_summary
from compliance_hub.certificates.forms import TableFilterForm
from compliance_hub.certificates.queries import (
    COUNT_CAP,
    DEFAULT_DIRECTION,
    PRESETS,
    Cursor,
    Page,
    Position,
    TableFilters,
    parse_cursor,
    parse_filters,
    position,
    table_page,
)
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import Portal, portal_for

COLUMNS = (
    ("name", "Contractor"),
    ("effective", "Effective date"),
    ("end", "End date"),
)
SORT_WORDS = {
    ("effective", "desc"): "effective date, newest first",
    ("effective", "asc"): "effective date, oldest first",
    ("end", "desc"): "end date, latest first",
    ("end", "asc"): "end date, earliest first",
    ("name", "asc"): "contractor name, A to Z",
    ("name", "desc"): "contractor name, Z to A",
}


def _url(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def _sort_headers(base: str, filters: TableFilters) -> list[dict[str, Any]]:
    headers = []
    for key, label in COLUMNS:
        current = filters.sort == key
        if current:
            direction = "asc" if filters.direction == "desc" else "desc"
        else:
            direction = DEFAULT_DIRECTION[key]
        headers.append(
            {
                "label": label,
                "url": _url(base, filters.as_params(sort=key, direction=direction)),
                "aria_sort": (
                    ("ascending" if filters.direction == "asc" else "descending") if current else ""
                ),
                "next_words": SORT_WORDS[(key, direction)],
            }
        )
    return headers


def _count_text(page: Page) -> str:
    if page.total_capped:
        return f"More than {COUNT_CAP:,} assignments"
    return ngettext("%(n)s assignment", "%(n)s assignments", page.total) % {"n": f"{page.total:,}"}


def _position_text(where: Position) -> str:
    """Where the page is ("Rows 1,051" en dash "1,100 of 21,000"); nothing when one page holds
    all the rows."""
    if not where.first or (where.first == 1 and where.last == where.total):
        return ""
    return f"Rows {where.first:,}\u2013{where.last:,} of {where.total:,}"


def _rows(page: Page, base: str, facility_id: int, history_query: str = "") -> SafeString:
    """The rows' HTML, from the Jinja2 template ``certificates/_rows.html`` (autoescaped)."""
    history = reverse(
        "certificates:history", kwargs={"facility_id": facility_id, "assignment_id": 0}
    )
    context = {
        "rows": page.rows,
        # Row links are these prefixes and the number or id (not three reverse() a row).
        "certificates_url": base,
        "history_url": history.removesuffix("0/"),
        # The history page's "All assignments" link comes back to these filters and this page.
        "history_query": history_query,
    }
    return mark_safe(render_to_string("certificates/_rows.html", context, using="jinja2"))  # noqa: S308


def _export_querystring(request: HttpRequest, filters: TableFilters, form: TableFilterForm) -> str:
    """The export links' query: the valid filters, or, while some are invalid, the address as
    typed, so that the export refuses with the same errors instead of exporting more rows."""
    if not form.errors:
        return filters.as_querystring()
    typed = request.GET.copy()
    for cursor in ("after", "before"):
        typed.pop(cursor, None)
    return typed.urlencode()


@login_required
@require_safe
def table(request: HttpRequest, facility_id: int) -> HttpResponse:
    """One row per assignment, filtered and sorted by the URL, a keyset page at a time."""
    portal, filters, form, cursor, cursor_refused = _table_input(request, facility_id)
    facility = portal.facility
    page = table_page(facility, filters, cursor)
    portal.remember()
    if portal.is_auditor:  # each auditor action is in the facility's log
        portal.record(
            Activity.Verb.AUDITOR_VIEWED,
            ip=client_ip(request),
            target="certificate table",
            detail={"filters": filters.as_querystring()},
        )

    base = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    params = filters.as_params()
    here = {**params, **_cursor_param(request, cursor)}
    # The exact count (past the cap) and a later page's place come from ``count`` after the
    # rows: the page itself keeps to its capped count.
    known = (
        None
        if page.total_capped or cursor is not None
        else Position(page.total, 1 if page.rows else 0, len(page.rows))
    )
    count_url = reverse("certificates:count", kwargs={"facility_id": facility.pk})
    presets = [
        {
            "label": label,
            "url": _url(base, filters.preset_params(key)),
            "active": filters.preset_is_active(key),
        }
        for key, label in PRESETS.items()
    ]
    context = {
        "facility": facility,
        "portal": portal,
        "switcher_keep": filters.switch_params,
        "filters": filters,
        "form": form,
        "error_summary": error_summary(form),
        "cursor_refused": cursor_refused,
        "page": page,
        "rows": _rows(page, base, facility.pk, f"?{urlencode(here)}" if here else ""),
        "position_text": _position_text(known) if known else "",
        "count_url": "" if known or not page.rows else _url(count_url, here),
        "count_text": _count_text(page),
        "match_words": ngettext("matches the filters", "match the filters", page.total),
        "headers": _sort_headers(base, filters),
        "sort_words": SORT_WORDS[(filters.sort, filters.direction)],
        "presets": presets,
        "filters_querystring": filters.as_querystring(),
        "export_querystring": _export_querystring(request, filters, form),
        "clear_url": _url(base, {k: v for k, v in params.items() if k in ("sort", "dir")}),
        "first_url": _url(base, params) if not page.is_first or cursor is not None else "",
        "next_url": _url(base, {**params, "after": page.next_cursor}) if page.next_cursor else "",
        "previous_url": (
            _url(base, {**params, "before": page.previous_cursor}) if page.previous_cursor else ""
        ),
        "is_later_page": cursor is not None,
    }
    return render(request, "certificates/table.html", context)


@login_required
@require_safe
def switch(request: HttpRequest) -> HttpResponse:
    """The switcher's target (works without JavaScript): that facility's table.

    Keeps the date filters, status and sort order, which mean the same at any facility,
    and drops the name search and the page position, which do not.
    """
    raw = request.GET.get("facility", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # not an id the hub gave out
        return redirect("home")
    portal = portal_for(request.user, int(raw), auditor=True)
    filters, _form = parse_filters(request.GET)
    base = reverse("certificates:table", kwargs={"facility_id": portal.facility.pk})
    return redirect(_url(base, filters.switch_params))


def _table_input(
    request: HttpRequest, facility_id: int
) -> tuple[Portal, TableFilters, TableFilterForm, Cursor | None, bool]:
    """Who sees which facility (``portal_for``), the filters and the page position in the
    URL: the table and its count (``count``) read them the same way."""
    portal = portal_for(request.user, facility_id, auditor=True)
    filters, form = parse_filters(request.GET)
    filters = portal.scoped(filters)  # an auditor sees their audit period only
    cursor, cursor_refused = parse_cursor(request.GET, filters)
    return portal, filters, form, cursor, cursor_refused


def _cursor_param(request: HttpRequest, cursor: Cursor | None) -> dict[str, str]:
    """The page position of the address (``after=`` or ``before=``) when it was accepted."""
    if cursor is None:
        return {}
    for name in ("after", "before"):
        if request.GET.get(name):
            return {name: request.GET[name]}
    return {}


@login_required
@require_safe
def count(request: HttpRequest, facility_id: int) -> HttpResponse:
    """The exact number of assignments the table's filters select and the place of its page
    among them, as JSON. The table fetches it after its rows when its own count stopped at
    the cap or it shows a later page; without JavaScript the table still says "more than"."""
    portal, filters, _form, cursor, _refused = _table_input(request, facility_id)
    where = position(portal.facility, filters, cursor)
    words = f"{where.total:,} {ngettext('assignment', 'assignments', where.total)}"
    return JsonResponse(
        {
            "total": where.total,
            "first": where.first,
            "last": where.last,
            "count_text": words,
            "match_words": ngettext("matches the filters", "match the filters", where.total),
            "position_text": _position_text(where),
        }
    )
