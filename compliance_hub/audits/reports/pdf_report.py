"""The report as PDF: a summary page, then every row in a compact table."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fpdf import FPDF

from compliance_hub.audits.models import Reconciliation, Status
from compliance_hub.audits.reports.rows import ReportRow, basis_text, report_rows, summary_lines
from compliance_hub.certificates.pdf.compact.fonts import FAMILY, FILES, FONT_DIR
from compliance_hub.core.text import neutralise_bidi

# (title, width in mm) of the table columns; the last one wraps.
COLUMNS = (
    ("Row", 12.0),
    ("Status", 22.0),
    ("Contractor (as in file)", 42.0),
    ("Matched contractor", 40.0),
    ("Work date(s)", 36.0),
    ("Paid on", 18.0),
    ("Amount", 20.0),
    ("Certificates / explanation", 69.0),
)
SIZE = 7.0
LINE = 3.4
MAX_LINES = 4
PAGES = "{total-pages}"  # replaced by the page count; long enough for five digits
_EM_MM = SIZE / 72 * 25.4  # no DejaVu glyph is wider than about 1 em
# fpdf2 subsets fonts with fontTools, which logs every step at INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


class _Report(FPDF):
    title_text = ""

    def normalize_text(self, text: str) -> str:
        """Every text drawn, without bidirectional controls (names come from uploaded files)."""
        return super().normalize_text(neutralise_bidi(text))

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font(FAMILY, size=7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{self.title_text} · page {self.page_no()} of {PAGES}", align="C")
        self.set_text_color(0, 0, 0)


class _Measure:
    """String widths (mm) in the table font, from the font's glyph widths; words cached."""

    def __init__(self, pdf: FPDF) -> None:
        font: Any = pdf.current_font
        self.widths = font.cw  # 1/1000 em per code point
        self.scale = SIZE * 0.001 / pdf.k
        self.cache: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        width = self.cache.get(text)
        if width is None:
            widths = self.widths
            width = sum(widths[ord(c)] for c in text) * self.scale
            if len(self.cache) < 50_000:
                self.cache[text] = width
        return width


def _fit(measure: _Measure, text: str, width: float) -> str:
    if len(text) * _EM_MM <= width or measure(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle] + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def _wrap(measure: _Measure, text: str, width: float) -> list[str]:
    if len(text) * _EM_MM <= width:
        return [text] if text else []
    lines: list[str] = []
    current, used = "", 0.0
    space = measure(" ")
    for word in text.split():
        size = measure(word)
        if current and used + space + size <= width:
            current, used = f"{current} {word}", used + space + size
            continue
        if current:
            lines.append(current)
            if len(lines) == MAX_LINES:
                break
        current = _fit(measure, word, width)
        used = measure(current)
    else:
        if current:
            lines.append(current)
        return lines
    lines[-1] = _fit(measure, lines[-1] + " …", width)
    return lines


def _days(row: ReportRow) -> str:
    if row.work_from is None:
        return ""
    if row.work_to is None or row.work_to == row.work_from:
        return row.work_from.isoformat()
    return f"{row.work_from.isoformat()} to {row.work_to.isoformat()}"


def _last_column(row: ReportRow) -> str:
    parts = []
    if row.numbers:
        parts.append(row.numbers + ".")
    if row.duplicate_of is not None:
        parts.append(f"Duplicate of row {row.duplicate_of}.")
    if row.note:
        parts.append(row.note)
    return " ".join(parts)


def _new(reconciliation: Reconciliation) -> _Report:
    pdf = _Report(orientation="L", unit="mm", format="letter")
    pdf.alias_nb_pages(PAGES)
    pdf.title_text = neutralise_bidi(
        f"Payment reconciliation {reconciliation.pk} · {reconciliation.facility.name}"
    )
    pdf.set_title(pdf.title_text)
    pdf.set_creator("Compliance Hub")
    pdf.set_creation_date(reconciliation.created_at)
    for style, filename in FILES.items():
        pdf.add_font(FAMILY, style, str(FONT_DIR / filename))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(False)
    return pdf


def _summary(pdf: _Report, reconciliation: Reconciliation) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 15)
    pdf.cell(0, 9, "Payment reconciliation", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9.5)
    facility = reconciliation.facility
    period = (
        f"{reconciliation.period_start:%Y-%m-%d} to {reconciliation.period_end:%Y-%m-%d}"
        if reconciliation.period_start and reconciliation.period_end
        else "—"
    )
    facts = [
        ("Facility", ", ".join([facility.name, *facility.address_lines])),
        (
            "Reconciliation",
            f"{reconciliation.pk}, run {reconciliation.created_at:%Y-%m-%d %H:%M} UTC"
            f" by {reconciliation.created_by_label}",
        ),
        (
            "Schedule file",
            f"{reconciliation.file_name} ({reconciliation.row_count:,} rows,"
            f" SHA-256 {reconciliation.file_sha256[:16]}…)",
        ),
        ("Dates checked", basis_text(reconciliation.date_basis)),
        ("Audit period", period),
    ]
    for label, value in facts:
        pdf.set_font(FAMILY, "B", 9.5)
        pdf.cell(38, 5.5, label)
        pdf.set_font(FAMILY, size=9.5)
        pdf.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")
    for note in reconciliation.date_notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 9.5)
    pdf.cell(80, 6, "Status", border="B")
    pdf.cell(30, 6, "Rows", border="B", align="R")
    pdf.cell(40, 6, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9.5)
    for label, count, amount in summary_lines(reconciliation):
        pdf.cell(80, 5.5, label)
        pdf.cell(30, 5.5, f"{count:,}", align="R")
        pdf.cell(40, 5.5, f"{float(amount):,.2f}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, size=8.5)
    pdf.multi_cell(
        0,
        4.5,
        "Covered: every day of the work is covered by a current certificate of an active "
        "assignment at this facility. Partly covered: only some days are (the others are "
        "listed). Not covered: no current certificate on those days; void (cancelled) and "
        "superseded certificates never count. Ambiguous: several contractors could be the "
        "person. Unknown contractor: nobody at the facility matches. Duplicate rows repeat an "
        "earlier row exactly and are counted once.",
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _header(pdf: _Report) -> float:
    pdf.set_font(FAMILY, "B", SIZE)
    x, y = pdf.l_margin, pdf.t_margin + 3
    for title, width in COLUMNS:
        pdf.text(x, y, title)
        x += width
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.set_font(FAMILY, size=SIZE)
    return y + 1.2 + LINE


def _table(pdf: _Report, reconciliation: Reconciliation) -> None:
    pdf.add_page()
    y = _header(pdf)
    measure = _Measure(pdf)
    bottom = pdf.h - 14
    widths = [w for _t, w in COLUMNS]
    for row in report_rows(reconciliation):
        wrapped = _wrap(measure, _last_column(row), widths[-1] - 1.5)
        height = max(len(wrapped), 1) * LINE + 0.8
        if y + height > bottom:
            pdf.add_page()
            y = _header(pdf)
        cells = (
            str(row.line),
            row.status_label if row.status != Status.COVERED else "Covered",
            row.given_name,
            row.contractor_label,
            _days(row),
            row.payment_date.isoformat() if row.payment_date else "",
            f"{row.amount:,.2f}" if row.amount is not None else "",
        )
        x = pdf.l_margin
        for value, width in zip(cells, widths, strict=False):
            if value:
                if width == widths[6]:
                    pdf.text(x + width - 2 - measure(value), y, value)
                else:
                    pdf.text(x, y, _fit(measure, value, width - 1.5))
            x += width
        for offset, text in enumerate(wrapped):
            pdf.text(x, y + offset * LINE, text)
        y += height


def write_pdf(reconciliation: Reconciliation, path: Path) -> None:
    """Write the PDF report to ``path``."""
    pdf = _new(reconciliation)
    _summary(pdf, reconciliation)
    _table(pdf, reconciliation)
    pdf.output(str(path))
