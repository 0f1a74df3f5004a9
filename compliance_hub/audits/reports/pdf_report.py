"""The report as PDF: a first page that says what was checked, how, and what was found
(totals and the exposure estimate); then the exceptions; the index of certificates relied on
with their SHA-256; and last the full list of rows. Every cell wraps: no text is cut off."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from compliance_hub.audits.exposure import LABEL, SOURCE
from compliance_hub.audits.models import Reconciliation
from compliance_hub.audits.reports.rows import (
    ReportRow,
    basis_text,
    certificates_of,
    estimate_lines,
    relied_on,
    report_rows,
    summary_lines,
)
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.pdf.compact.fonts import FAMILY, FILES, FONT_DIR
from compliance_hub.core.text import neutralise_bidi

SIZE = 7.0
LINE = 3.4
PAGES = "{total-pages}"  # replaced by the page count; long enough for five digits
BOTTOM = 14.0  # mm kept free at the foot of each page (the footer)
_EM_MM = SIZE / 72 * 25.4  # no DejaVu glyph is wider than about 1 em
# fpdf2 subsets fonts with fontTools, which logs every step at INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

METHOD = (
    "How the hub decides. Each payment row is matched to a contractor of this facility by "
    "contractor id, then e-mail, then name (case, accents, order and middle names aside), or "
    "by a manual decision saved in the hub (listed as such). A row is covered when every day "
    "of its work (or, without a work date, its payment date) is covered by a current "
    "certificate of an active assignment at this facility. Partly covered: only some days "
    "are; the uncovered days are listed. Not covered: none are. Void certificates (of "
    "cancelled assignments) and superseded certificates never count as cover. Ambiguous: "
    "several contractors could be the person. Unknown contractor: nobody at the facility "
    "matches. Not a contractor here: a person decided the payee is not a contractor of this "
    "facility. Duplicate rows repeat an earlier row exactly and are counted once."
)


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # mm
    right: bool = False


ROW_COLUMNS = (
    Column("Row", 10.0),
    Column("Status", 21.0),
    Column("Contractor (as in file)", 37.0),
    Column("Matched contractor", 35.0),
    Column("Work date(s)", 20.0),
    Column("Paid on", 17.0),
    Column("Amount", 20.0, right=True),
    Column("Est. premium", 21.0, right=True),
    Column("Certificates / explanation", 78.4),
)
CERTIFICATE_COLUMNS = (
    Column("Certificate", 36.0),
    Column("Contractor", 54.0),
    Column("Effective", 19.0),
    Column("End", 19.0),
    Column("Status now", 22.0),
    Column("SHA-256 of the PDF", 109.4),
)


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


def _break_word(measure: _Measure, word: str, width: float) -> list[str]:
    """A word wider than the column, in pieces that fit (nothing is dropped)."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and measure(current + char) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(measure: _Measure, text: str, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``; every character is kept."""
    if not text:
        return []
    if len(text) * _EM_MM <= width:
        return [text]
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
        if size > width:
            *whole, current = _break_word(measure, word, width)
            lines.extend(whole)
            used = measure(current)
        else:
            current, used = word, size
    if current:
        lines.append(current)
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
    if row.decision and row.decision not in row.note:
        parts.append(f"Manual decision: {row.decision}.")
    return " ".join(parts)


def _money(value: Any) -> str:
    return f"{value:,.2f}" if value is not None else ""


def _row_cells(row: ReportRow) -> list[str]:
    status = row.status_label + (" (manual)" if row.decision else "")
    amount = _money(row.amount)
    if amount and row.currency and row.currency != "USD":
        amount = f"{row.currency} {amount}"
    return [
        str(row.line),
        status,
        row.given_name or row.given_email or row.given_contractor_id,
        row.contractor_label,
        _days(row),
        row.payment_date.isoformat() if row.payment_date else "",
        amount,
        _money(row.premium),
        _last_column(row),
    ]


def _certificate_cells(certificate: Certificate) -> list[str]:
    snap = certificate.snapshot
    assignment = snap.get("assignment", {})
    return [
        certificate.number,
        str(snap.get("insured", {}).get("name", "")),
        str(assignment.get("effective_date", "")),
        str(assignment.get("end_date", "")),
        certificate.get_status_display(),
        certificate.sha256,
    ]


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
    return pdf


def _heading(pdf: _Report, text: str, size: float = 12) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)


def _facts(pdf: _Report, facts: Sequence[tuple[str, str]], label_width: float = 52) -> None:
    for label, value in facts:
        pdf.set_font(FAMILY, "B", 9)
        pdf.cell(label_width, 5, label)
        pdf.set_font(FAMILY, size=9)
        pdf.multi_cell(0, 5, value or "—", new_x="LMARGIN", new_y="NEXT")


def _first_page(pdf: _Report, reconciliation: Reconciliation) -> None:
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.add_page()
    _heading(pdf, "Payment reconciliation", 15)
    facility = reconciliation.facility
    period = (
        f"{reconciliation.period_start:%Y-%m-%d} to {reconciliation.period_end:%Y-%m-%d}"
        if reconciliation.period_start and reconciliation.period_end
        else "—"
    )
    _facts(
        pdf,
        [
            ("Facility", ", ".join([facility.name, *facility.address_lines])),
            ("Staffing partner", facility.partner.name),
            ("Period of the payments", period),
            (
                "Run",
                f"{reconciliation.created_at:%Y-%m-%d %H:%M} UTC by "
                f"{reconciliation.created_by_label} (reconciliation {reconciliation.pk}"
                + (
                    f", a re-run of reconciliation {reconciliation.rerun_of_id}"
                    if reconciliation.rerun_of_id
                    else ""
                )
                + ")",
            ),
            (
                "Schedule file",
                f"{reconciliation.file_name} ({reconciliation.row_count:,} rows, "
                f"SHA-256 {reconciliation.file_sha256})",
            ),
            ("Dates checked", basis_text(reconciliation.date_basis)),
        ],
    )
    pdf.set_font(FAMILY, size=8.5)
    for note in reconciliation.date_notes:
        pdf.multi_cell(0, 4.3, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.multi_cell(0, 4.3, METHOD, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 9)
    pdf.cell(100, 5.5, "Status", border="B")
    pdf.cell(25, 5.5, "Rows", border="B", align="R")
    pdf.cell(40, 5.5, "Amount (USD)", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    for label, count, amount in summary_lines(reconciliation):
        pdf.cell(100, 5, label)
        pdf.cell(25, 5, f"{count:,}", align="R")
        pdf.cell(40, 5, f"{float(amount):,.2f}", align="R", new_x="LMARGIN", new_y="NEXT")
    if reconciliation.has_amounts:
        pdf.ln(2)
        _heading(pdf, f"Exposure estimate — {LABEL.lower()}", 10)
        _facts(pdf, estimate_lines(reconciliation), label_width=90)
        pdf.set_font(FAMILY, size=8)
        pdf.multi_cell(0, 4, SOURCE, new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: _Report,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    cells: Callable[[Any], list[str]],
    empty: str,
) -> int:
    """A section on new pages: ``title``, then one row per item, every cell wrapped; a row
    taller than the rest of the page continues on the next. Returns the rows drawn."""
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _heading(pdf, title)
    pdf.set_font(FAMILY, size=SIZE)
    measure = _Measure(pdf)
    bottom = pdf.h - BOTTOM
    y = _header(pdf, columns, pdf.get_y() + 3)
    count = 0
    for item in rows:
        count += 1
        wrapped = [
            wrap(measure, text, column.width - 1.5)
            for text, column in zip(cells(item), columns, strict=True)
        ]
        height = max((len(w) for w in wrapped), default=1) or 1
        start = 0
        while start < height:
            fits = int((bottom - y) // LINE)
            if fits < min(height - start, 3) or fits <= 0:
                pdf.add_page()
                y = _header(pdf, columns, pdf.t_margin + 3)
                fits = int((bottom - y) // LINE)
            take = min(height - start, fits)
            x = pdf.l_margin
            for lines, column in zip(wrapped, columns, strict=True):
                for offset, text in enumerate(lines[start : start + take]):
                    left = x + column.width - 2 - measure(text) if column.right else x
                    pdf.text(left, y + offset * LINE, text)
                x += column.width
            start += take
            y += take * LINE
        y += 0.8
    if not count:
        pdf.set_font(FAMILY, size=9)
        pdf.text(pdf.l_margin, y + 1, empty)
    return count


def _header(pdf: _Report, columns: Sequence[Column], y: float) -> float:
    pdf.set_font(FAMILY, "B", SIZE)
    x = pdf.l_margin
    for column in columns:
        pdf.text(x, y, column.title)
        x += column.width
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.set_font(FAMILY, size=SIZE)
    return y + 1.2 + LINE


def write_pdf(reconciliation: Reconciliation, path: Path) -> None:
    """Write the PDF report to ``path``."""
    pdf = _new(reconciliation)
    _first_page(pdf, reconciliation)
    _table(
        pdf,
        "Exceptions: not covered, partly covered, ambiguous, unknown, and manual decisions",
        ROW_COLUMNS,
        report_rows(reconciliation, exceptions=True),
        _row_cells,
        "None: every payment row is covered, and none was decided by hand.",
    )
    _table(
        pdf,
        "Certificates relied on (cited by covered and partly covered rows)",
        CERTIFICATE_COLUMNS,
        certificates_of(relied_on(reconciliation)),
        _certificate_cells,
        "None.",
    )
    _table(
        pdf,
        "All payment rows, in file order",
        ROW_COLUMNS,
        report_rows(reconciliation),
        _row_cells,
        "No rows.",
    )
    pdf.output(str(path))
