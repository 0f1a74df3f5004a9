"""Template helpers for the facility portal."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from compliance_hub.certificates.forms import human_date

register = template.Library()


@register.filter
def hubdate(value: date | datetime | None) -> SafeString | str:
    """``<time datetime="2026-03-04">Mar 4, 2026</time>``: unambiguous for people and machines."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    else:
        day = value
    return _time_tag(day)


@lru_cache(maxsize=4096)
def _time_tag(day: date) -> SafeString:
    # Digits, ASCII month abbreviations and punctuation only: nothing to escape.
    return mark_safe(f'<time datetime="{day.isoformat()}">{human_date(day)}</time>')  # noqa: S308


@register.simple_tag
def date_field(field: Any, describedby: str = "") -> SafeString:
    """A labelled ``<input type="date">`` with its errors, for a filter form (the table has
    six on every page: an include per field cost more than the 50 rows).

    ``field`` is a bound form field; ``describedby`` the id of a help text, if any.
    """
    auto_id = escape(str(field.auto_id))
    errors = field.errors
    described = [escape(describedby)] if describedby else []
    if errors:
        described.append(f"{auto_id}_error")
    value = field.value()
    parts = [
        '<div class="field date-field">\n',
        f'  <label for="{auto_id}">{escape(str(field.label))}</label>\n',
        f'  <input type="date" name="{escape(field.html_name)}" id="{auto_id}" ',
        f'value="{escape(str("" if value is None else value))}" min="1900-01-01" max="2199-12-31"',
        f' aria-describedby="{" ".join(described)}"' if described else "",
        ' aria-invalid="true"' if errors else "",
        ">\n  ",
    ]
    if errors:
        items = "".join(f"<li>{escape(str(error))}</li>" for error in errors)
        parts.append(f'<ul class="errorlist" id="{auto_id}_error">{items}</ul>')
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above


@register.simple_tag
def table_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The table body's rows, in Python: the same markup as a template loop, several times cheaper.

    A page has 50 rows of about a dozen values each; rendered by the template engine they
    were the largest single cost of the page (see docs/benchmarks.md). Every value is escaped
    (``html.escape``, as Django's ``escape`` does, without its lazy-string wrapper).
    """
    return mark_safe("".join(_row(row) for row in rows))  # noqa: S308 - parts escaped below


def _row(row: dict[str, Any]) -> str:
    a = row["a"]
    name = escape(a.contractor_name)
    description = f'<span class="sub">{escape(a.description)}</span>' if a.description else ""
    cells = [
        '<tr class="row-void">' if row["void"] else "<tr>",
        '<th scope="row" class="cell-name">',
        f'<span class="contractor">{name}</span>{description}</th>',
        f'<td class="nowrap" data-label="Effective">{hubdate(a.effective_date)}</td>',
        f'<td class="nowrap" data-label="End">{hubdate(a.end_date)}</td>',
        '<td data-label="Certificate" class="cell-cert">',
    ]
    number = row["number"]
    if number:
        n = escape(number)
        void = '<span class="badge badge-bad">Void</span> ' if row["void"] else ""
        cells += [
            void,
            f'<a href="{escape(row["view_url"])}">View<span class="sr-only"> certificate {n} '
            f"for {name}</span></a> ",
            f'<a href="{escape(row["download_url"])}">Download<span class="sr-only"> certificate '
            f'{n} for {name}</span> <span class="muted">(PDF)</span></a> ',
            f'<span class="sub">{n} · <a href="{escape(row["history_url"])}">History'
            f'<span class="sr-only"> of the certificates for this assignment of {name}</span>'
            "</a></span>",
        ]
    else:
        cells.append('<span class="muted">Certificate being issued</span>')
    cells.append("</td></tr>\n")
    return "".join(cells)
