"""The facility certificate table, and the facility switcher that leads to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from compliance_hub.certificates.forms import DATE_RANGES, TableFilterForm
from compliance_hub.certificates.queries import (
    COUNT_CAP,
    DEFAULT_DIRECTION,
    PRESETS,
    Page,
    TableFilters,
    parse_cursor,
    parse_filters,
    table_page,
)
from compliance_hub.facilities.queries import portal_for

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
GROUP_LABELS = {start: label for start, _, label in DATE_RANGES} | {
    end: label for _, end, label in DATE_RANGES
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


def _error_summary(form: TableFilterForm) -> list[dict[str, Any]]:
    summary = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None else "Filters"
        if name in GROUP_LABELS:
            label = f"{GROUP_LABELS[name].capitalize()} “{label.lower()}”"
        summary.append(
            {"id": form[name].auto_id if field else "", "label": label, "errors": errors}
        )
    return summary


def _count_text(page: Page) -> str:
    if page.total_capped:
        return f"More than {COUNT_CAP:,} assignments"
    return f"{page.total:,} assignment{'' if page.total == 1 else 's'}"


def _rows(page: Page, base: str, facility_id: int) -> SafeString:
    """The rows' HTML, from the Jinja2 template ``certificates/_rows.html`` (autoescaped)."""
    history = reverse(
        "certificates:history", kwargs={"facility_id": facility_id, "assignment_id": 0}
    )
    context = {
        "rows": page.rows,
        # Row links are these prefixes and the number or id (not three reverse() a row).
        "certificates_url": base,
        "history_url": history.removesuffix("0/"),
    }
    return mark_safe(render_to_string("certificates/_rows.html", context, using="jinja2"))  # noqa: S308


@login_required
@require_safe
def table(request: HttpRequest, facility_id: int) -> HttpResponse:
    """One row per assignment, filtered and sorted by the URL, a keyset page at a time."""
    portal = portal_for(request.user, facility_id)
    facility = portal.facility
    filters, form = parse_filters(request.GET)
    cursor, cursor_refused = parse_cursor(request.GET, filters)
    page = table_page(facility, filters, cursor)
    portal.remember()

    base = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    params = filters.as_params()
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
        "error_summary": _error_summary(form),
        "cursor_refused": cursor_refused,
        "page": page,
        "rows": _rows(page, base, facility.pk),
        "count_text": _count_text(page),
        "headers": _sort_headers(base, filters),
        "sort_words": SORT_WORDS[(filters.sort, filters.direction)],
        "presets": presets,
        "filters_querystring": filters.as_querystring(),
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
    portal = portal_for(request.user, int(raw))
    filters, _form = parse_filters(request.GET)
    base = reverse("certificates:table", kwargs={"facility_id": portal.facility.pk})
    return redirect(_url(base, filters.switch_params))
