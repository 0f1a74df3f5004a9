"""The certificate table's filters: parsed from the URL, validated, turned back into URLs.

``parse_filters(request.GET)`` gives a frozen ``TableFilters`` (only valid fields) and the
bound form (which explains the invalid ones). Re-exported by ``certificates.queries``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone

from compliance_hub.certificates.forms import DATE_RANGES, TableFilterForm
from compliance_hub.certificates.names import fold
from compliance_hub.core.dates import human_date

MAX_NAME_TOKENS = 4

SortKey = Literal["effective", "end", "name"]
Direction = Literal["asc", "desc"]
SORT_COLUMNS: dict[str, str] = {
    "effective": "effective_date",
    "end": "end_date",
    "name": "sort_name",
}
DEFAULT_DIRECTION: dict[str, Direction] = {"effective": "desc", "end": "desc", "name": "asc"}
PRESETS: dict[str, str] = {
    "last_6_months": "Last 6 months",
    "this_year": "This year",
    "last_year": "Last year",
}


def preset_range(preset: str, today: date | None = None) -> tuple[date, date]:
    """The "active during" range a preset stands for, relative to ``today``.

    ``last_6_months``: the same day six months ago through today; ``this_year`` and
    ``last_year``: 1 January through 31 December of that calendar year.
    """
    today = today or timezone.localdate()
    if preset == "last_6_months":
        month = today.month - 6
        year = today.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        day = today.day
        while True:
            try:
                return date(year, month, day), today
            except ValueError:
                day -= 1  # 31 Aug -> 28/29 Feb
    if preset == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise ValueError(f"Unknown preset {preset!r}")


@dataclass(frozen=True)
class TableFilters:
    """What the table shows: validated filters and the sort order. All dates inclusive."""

    effective_from: date | None = None
    effective_to: date | None = None
    end_from: date | None = None
    end_to: date | None = None
    active_from: date | None = None
    active_to: date | None = None
    name: str = ""
    status: Literal["", "current", "void"] = ""
    sort: SortKey = "effective"
    direction: Direction = "desc"
    name_tokens: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tokens = tuple(dict.fromkeys(fold(self.name).split()))[:MAX_NAME_TOKENS]
        object.__setattr__(self, "name_tokens", tokens)

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not just a sort order) narrows the rows."""
        return any(getattr(self, name) for name in _FILTER_FIELDS)

    @property
    def switch_params(self) -> dict[str, str]:
        """What a facility switch keeps: dates, status and sort, not the name search."""
        return {k: v for k, v in self.as_params().items() if k != "q"}

    def as_params(self, **overrides: Any) -> dict[str, str]:
        """Non-default values as URL parameters; ``overrides`` replace fields first."""
        filters = replace(self, **overrides) if overrides else self
        params: dict[str, str] = {}
        for name in _DATE_FIELDS:
            value = getattr(filters, name)
            if value is not None:
                params[name] = value.isoformat()
        if filters.name:
            params["q"] = filters.name
        if filters.status:
            params["status"] = filters.status
        if filters.sort != "effective" or filters.direction != "desc":
            params["sort"] = filters.sort
            params["dir"] = filters.direction
        return params

    def as_querystring(self, **overrides: Any) -> str:
        """``effective_from=2026-01-01&q=smith`` (no leading ``?``; empty when unfiltered)."""
        return urlencode(self.as_params(**overrides))

    def describe(self) -> list[str]:
        """The filters in words, e.g. for a caption or an export's README."""
        parts = []
        for start_name, end_name, label, during in (
            ("effective_from", "effective_to", "Effective", "Effective"),
            ("end_from", "end_to", "Ending", "Ending"),
            ("active_from", "active_to", "Active", "Active during"),
        ):
            start, end = getattr(self, start_name), getattr(self, end_name)
            if start and end:
                parts.append(f"{during} {human_date(start)} to {human_date(end)}")
            elif start:
                parts.append(f"{label} on or after {human_date(start)}")
            elif end:
                parts.append(f"{label} on or before {human_date(end)}")
        if self.name:
            parts.append(f"Contractor name “{self.name}”")
        if self.status:
            parts.append("Current certificates only" if self.status == "current" else "Void only")
        return parts

    def within(self, period: tuple[date, date] | None) -> TableFilters:
        """These filters, and the assignment active during ``period`` too (an auditor's audit
        period, ``Portal.period``; ``None``: unchanged). "Active during" is two bounds,
        effective date <= end and end date >= start, so both hold exactly with the tighter
        of each: the latest start and the earliest end."""
        if period is None:
            return self
        start, end = period
        return replace(
            self,
            active_from=max(start, self.active_from) if self.active_from else start,
            active_to=min(end, self.active_to) if self.active_to else end,
        )

    def outside(self, period: tuple[date, date] | None) -> bool:
        """Whether these filters ask only for assignments that cannot be active during
        ``period`` (an auditor's request for another period: a 404)."""
        if period is None:
            return False
        start, end = period
        too_late = [self.active_from, self.effective_from]
        too_early = [self.active_to, self.end_to]
        return any(d is not None and d > end for d in too_late) or any(
            d is not None and d < start for d in too_early
        )

    def preset_params(self, preset: str, today: date | None = None) -> dict[str, str]:
        """URL parameters for this view with ``preset`` as its "active during" range."""
        start, end = preset_range(preset, today)
        return self.as_params(active_from=start, active_to=end)

    def preset_is_active(self, preset: str, today: date | None = None) -> bool:
        return (self.active_from, self.active_to) == preset_range(preset, today)


_DATE_FIELDS = (
    "effective_from",
    "effective_to",
    "end_from",
    "end_to",
    "active_from",
    "active_to",
)
_FILTER_FIELDS = (*_DATE_FIELDS, "name", "status")


_GROUP_LABELS = {start: label for start, _, label in DATE_RANGES} | {
    end: label for _, end, label in DATE_RANGES
}


def error_summary(form: TableFilterForm) -> list[dict[str, Any]]:
    """The invalid filters in words, one item per field: ``id`` (of its input), ``label``,
    ``errors``. The table and every export refusal show this same list."""
    summary = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None else "Filters"
        if name in _GROUP_LABELS:
            label = f"{_GROUP_LABELS[name].capitalize()} “{label.lower()}”"
        summary.append(
            {"id": form[name].auto_id if field else "", "label": label, "errors": errors}
        )
    return summary


def parse_filters(querydict: QueryDict) -> tuple[TableFilters, TableFilterForm]:
    """Validate the table's URL parameters. Invalid ones are dropped and explained on the form.

    ``preset`` (last_6_months, this_year, last_year) fills the "active during" range and
    wins over typed active dates; ``sort``/``dir`` fall back to the default when unknown.
    """
    data = querydict.copy()
    preset = data.get("preset", "")
    if preset in PRESETS:
        start, end = preset_range(preset)
        data["active_from"], data["active_to"] = start.isoformat(), end.isoformat()
    form = TableFilterForm(data)
    form.is_valid()  # fills cleaned_data with the valid fields only
    cleaned = form.cleaned_data
    sort = data.get("sort", "effective")
    if sort not in SORT_COLUMNS:
        sort = "effective"
    direction = data.get("dir", DEFAULT_DIRECTION[sort])
    if direction not in ("asc", "desc"):
        direction = DEFAULT_DIRECTION[sort]
    filters = TableFilters(
        **{name: cleaned.get(name) for name in _DATE_FIELDS},
        name=cleaned.get("q") or "",
        status=cleaned.get("status") or "",
        sort=sort,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
    )
    return filters, form
