"""coi-v1 layout: the sections of the page, drawn top to bottom at a chosen density."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance_hub.certificates.pdf import CertificateDocument
from compliance_hub.certificates.pdf.coi_v1.wording import (
    CANCELLATION,
    COVERAGE_STATEMENT,
    EN_DASH,
    IMPORTANT,
    NO_COVERAGE,
    NOTICE,
    SUBTITLE,
    VERIFY_NOTE,
    grouped,
    long_date,
    money,
    short_address,
    us_date,
)
from compliance_hub.certificates.pdf.layout import Canvas, Color

VERSION = "coi-v1"

INK: Color = (28, 36, 48)
SOFT: Color = (82, 94, 110)
ACCENT: Color = (23, 74, 109)
RULE: Color = (150, 160, 172)
HAIR: Color = (206, 213, 221)
TINT: Color = (236, 242, 247)
WHITE: Color = (255, 255, 255)

MARGIN = 12.7
GAP = 2.4
PAD = 1.8
LABEL = 5.6  # pt, box labels


@dataclass(frozen=True)
class Density:
    table: float  # coverage table text, pt
    body: float  # description and party text, pt
    fine: float  # the notices' small print, pt
    inline_limits: bool  # limits as one wrapped paragraph instead of one per line
    row_pad: float  # space above and below each coverage row, mm


DENSITIES = (
    Density(7.0, 7.6, 6.3, False, 1.0),
    Density(6.5, 7.0, 6.1, False, 0.9),
    Density(6.0, 6.5, 6.0, False, 0.8),
    Density(6.0, 6.5, 6.0, True, 0.8),
    Density(5.4, 6.0, 5.6, True, 0.6),
    Density(4.8, 5.5, 5.3, True, 0.5),
    Density(4.4, 5.0, 5.0, True, 0.4),
)
MAX_DESCRIPTION_LINES = 10

# Coverage table columns: (key, heading lines, width mm, alignment).
COLUMNS: tuple[tuple[str, tuple[str, ...], float, str], ...] = (
    ("letter", ("INSR", "LTR"), 8.5, "C"),
    ("type", ("TYPE OF INSURANCE",), 35.0, "L"),
    ("addl", ("ADDL", "INSD"), 9.0, "C"),
    ("subr", ("SUBR", "WVD"), 9.0, "C"),
    ("policy", ("POLICY NUMBER",), 30.0, "L"),
    ("effective", ("EFFECTIVE", "(MM/DD/YYYY)"), 18.5, "C"),
    ("end", ("END", "(MM/DD/YYYY)"), 18.5, "C"),
    ("limits", ("LIMITS",), 62.0, "L"),
)


class Page:
    """The certificate being laid out: content, fonts, and the chosen density.

    A later template subclasses it and overrides the class attributes and the hooks
    (``period_banner``, ``type_lines``, ``policy_lines``, ``limit_items``,
    ``description_paragraphs``, ``cancellation_block``); what this class draws stays coi-v1.
    """

    version = VERSION
    measure_first = False  # see ``render_page``
    columns = COLUMNS
    coverage_statement = COVERAGE_STATEMENT
    max_description_lines = MAX_DESCRIPTION_LINES

    def __init__(self, canvas: Canvas, doc: CertificateDocument) -> None:
        self.c = canvas
        self.doc = doc
        snap = doc.snapshot
        self.snap = snap
        self.x0 = MARGIN
        self.w = canvas.width - 2 * MARGIN
        self.half = (self.w - GAP) / 2
        self.bottom = canvas.height - MARGIN - 6.0  # footer below
        self.effective = date.fromisoformat(snap["assignment"]["effective_date"])
        self.end = date.fromisoformat(snap["assignment"]["end_date"])
        self.density = DENSITIES[0]
        self.draw = False
        self.dropped_rows = 0
        self._printable: dict[tuple[str, str], str] = {}

    # -- primitives that only draw in the drawing pass ----------------------------------
    def t(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        style: str = "",
        color: Color = INK,
        align: str = "L",
        width: float = 0,
    ) -> None:
        if self.draw:
            self.c.text(x, y, text, size, style, color, align, width)

    def ls(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        size: float,
        style: str = "",
        color: Color = INK,
        leading: float = 1.22,
    ) -> float:
        if self.draw:
            return self.c.lines(x, y, lines, size, style, color, leading)
        return y + len(lines) * self.c.line_height(size, leading)

    def box(
        self, x: float, y: float, w: float, h: float, label: str, fill: Color | None = None
    ) -> float:
        """A ruled box with a small label; returns the y where its content starts."""
        if self.draw:
            self.c.rect(x, y, w, h, fill=fill, stroke=RULE)
            self.c.text(x + PAD, y + 1.1, label, LABEL, "B", SOFT)
        return y + 1.1 + self.c.line_height(LABEL) + 0.4

    def p(self, text: object, style: str = "") -> str:
        """Snapshot text made drawable (normalised; characters without a glyph become ?)."""
        key = (str(text or ""), style)
        value = self._printable.get(key)
        if value is None:
            value = self._printable[key] = self.c.printable(text, style)
        return value

    def wrap(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        return self.c.wrap(text, width, size, style)

    def fixed(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        """Wrap template text (the same in every certificate; cached per process)."""
        return self.c.remember_static(text, width, size, style)

    # -- sections -----------------------------------------------------------------------
    def header(self, y: float) -> float:
        c, doc = self.c, self.doc
        bw, split = 68.0, 27.0
        bx = self.x0 + self.w - bw
        self.t(self.x0, y - 0.4, "CERTIFICATE OF LIABILITY INSURANCE", 15.5, "B", ACCENT)
        subtitle = self.fixed(SUBTITLE, bx - self.x0 - 4.0, 7.2)
        self.ls(self.x0, y + 7.4, subtitle, 7.2, "", SOFT)
        if self.draw:
            c.rect(bx, y - 0.5, bw, 12.5, stroke=RULE)
            c.vline(bx + split, y - 0.5, y + 12, RULE)
        self.t(bx + PAD, y + 0.7, "DATE (MM/DD/YYYY)", LABEL - 0.4, "B", SOFT)
        self.t(bx + PAD, y + 5.0, us_date(doc.issued_at.date()), 10, "B", INK)
        self.t(bx + split + PAD, y + 0.7, "CERTIFICATE NUMBER", LABEL - 0.4, "B", SOFT)
        self.t(bx + split + PAD, y + 4.8, doc.number, 11.5, "B", INK)
        return y + max(12.0, 7.4 + len(subtitle) * c.line_height(7.2)) + GAP

    def notice(self, y: float) -> float:
        width = self.w - 2 * PAD
        fine = self.density.fine
        first = self.fixed(NOTICE, width, fine, "B")
        second = self.fixed(IMPORTANT, width, fine - 0.2)
        h = 2 * PAD + (len(first) + len(second)) * self.c.line_height(fine, 1.18) + 0.8
        if self.draw:
            self.c.rect(self.x0, y, self.w, h, fill=TINT, stroke=RULE)
        yy = self.ls(self.x0 + PAD, y + PAD, first, fine, "B", INK, 1.18)
        self.ls(self.x0 + PAD, yy + 0.8, second, fine - 0.2, "", INK, 1.18)
        return y + h + GAP

    def producer_and_contact(self, y: float) -> float:
        producer = self.snap.get("producer") or {}
        size = self.density.body
        inner = self.half - 2 * PAD
        name = self.c.limit_lines(
            self.wrap(
                self.p(producer.get("name") or self.snap.get("partner"), "B"),
                inner,
                size + 0.6,
                "B",
            ),
            2,
            inner,
            size + 0.6,
            "B",
        )
        address = [self.c.clip(self.p(a), inner, size) for a in producer.get("address", [])][:4]
        left_h = len(name) * self.c.line_height(size + 0.6) + len(address) * self.c.line_height(
            size
        )
        contact = [
            ("NAME", producer.get("contact")),
            ("PHONE", producer.get("phone")),
            ("E-MAIL", producer.get("email")),
        ]
        right_h = 3 * self.c.line_height(size + 0.6)
        h = 1.1 + self.c.line_height(LABEL) + 0.4 + max(left_h, right_h) + PAD
        top = self.box(self.x0, y, self.half, h, "PRODUCER")
        yy = self.ls(self.x0 + PAD, top, name, size + 0.6, "B")
        self.ls(self.x0 + PAD, yy, address, size)
        rx = self.x0 + self.half + GAP
        top = self.box(rx, y, self.half, h, "CONTACT")
        step = self.c.line_height(size + 0.6)
        for i, (label, value) in enumerate(contact):
            self.t(rx + PAD, top + i * step + 0.5, label, LABEL, "B", SOFT)
            text = self.c.clip(self.p(value), inner - 14, size + 0.2)
            self.t(rx + PAD + 14, top + i * step, text or "—", size + 0.2)
        return y + h + GAP

    def insured_and_insurers(self, y: float) -> float:
        insured = self.snap.get("insured") or {}
        size = self.density.body
        inner = self.half - 2 * PAD
        name_size = size + 2.0
        name = self.c.limit_lines(
            self.wrap(self.p(insured.get("name"), "B"), inner, name_size, "B"),
            3,
            inner,
            name_size,
            "B",
        )
        address = [self.c.clip(self.p(a), inner, size) for a in insured.get("address", [])][:4]
        left_h = (
            len(name) * self.c.line_height(name_size)
            + 0.6
            + len(address) * self.c.line_height(size)
        )
        insurers = {i["letter"]: i for i in self.snap.get("insurers", [])}
        row = self.c.line_height(size + 0.2) + 0.35
        right_h = 6 * row
        h = 1.1 + self.c.line_height(LABEL) + 0.4 + max(left_h, right_h) + PAD
        top = self.box(self.x0, y, self.half, h, "INSURED")
        yy = self.ls(self.x0 + PAD, top, name, name_size, "B")
        self.ls(self.x0 + PAD, yy + 0.6, address, size)
        rx = self.x0 + self.half + GAP
        top = self.box(rx, y, self.half, h, "INSURER(S) AFFORDING COVERAGE")
        self.t(rx + PAD, y + 1.1, "NAIC #", LABEL, "B", SOFT, "R", inner)
        for i, letter in enumerate("ABCDEF"):
            ry = top + i * row
            self.t(rx + PAD, ry + 0.5, f"INSURER {letter}", LABEL, "B", SOFT)
            insurer = insurers.get(letter)
            if insurer:
                self.t(
                    rx + PAD + 15,
                    ry,
                    self.c.clip(self.p(insurer.get("name")), inner - 27, size + 0.2),
                    size + 0.2,
                )
                self.t(rx + PAD, ry, self.p(insurer.get("naic")), size + 0.2, "", INK, "R", inner)
            if self.draw and i < 5:
                self.c.hline(rx + PAD + 15, rx + self.half - PAD, ry + row - 0.25, HAIR, 0.15)
        return y + h + GAP

    def coverages(self, y: float) -> float:
        snap, c = self.snap, self.c
        period = self.period_banner()
        if self.draw:
            c.rect(self.x0, y, self.w, 5.6, fill=ACCENT)
        self.t(self.x0 + PAD, y + 1.3, "COVERAGES", 8.2, "B", WHITE)
        self.t(self.x0 + PAD, y + 1.5, period, 7.2, "B", WHITE, "R", self.w - 2 * PAD)
        y += 5.6 + 1.2
        fine = self.density.fine - 0.2
        statement = self.fixed(self.coverage_statement, self.w, fine)
        y = self.ls(self.x0, y, statement, fine, "", INK, 1.18) + 1.0

        xs: list[float] = []
        x = self.x0
        for _, _, width, _ in self.columns:
            xs.append(x)
            x += width
        table_top = y
        heading_lines = max(len(heading) for _, heading, _, _ in self.columns)
        head_h = heading_lines * c.line_height(5.4, 1.1) + 2 * 1.0
        if self.draw:
            c.rect(self.x0, y, self.w, head_h, fill=TINT)
        for (_key, heading, width, align), cx in zip(self.columns, xs, strict=True):
            hy = y + 1.0 + (heading_lines - len(heading)) * c.line_height(5.4, 1.1) / 2
            for line in heading:
                self.t(
                    cx + 1.0, hy, line, 5.4, "B", SOFT, "C" if align == "C" else "L", width - 2.0
                )
                hy += c.line_height(5.4, 1.1)
        y += head_h

        rows = [self._coverage_row(line, xs) for line in snap.get("coverages", [])]
        if not rows:
            rows = [self._note_row(NO_COVERAGE)]
        total = sum(h for h, _ in rows)
        last_resort = self.density is DENSITIES[-1]
        limit = self.bottom - y - self._below_coverages_height() if last_resort else total
        if total > limit:  # at the smallest density: say what is left out
            while len(rows) > 1 and total > limit:
                total -= rows.pop()[0]
                self.dropped_rows += 1
            note = self._note_row(
                f"{self.dropped_rows} further coverage line(s) of this program could not be "
                "shown on one page; ask the producer named above for them."
            )
            rows.append(note)
        for h, draw_row in rows:
            if self.draw:
                draw_row(y)
                c.hline(self.x0, self.x0 + self.w, y + h, HAIR, 0.15)
            y += h
        if self.draw:
            c.rect(self.x0, table_top, self.w, y - table_top, stroke=RULE)
            for cx in xs[1:]:
                c.vline(cx, table_top, y, HAIR, 0.15)
        return y + GAP

    def period_banner(self) -> str:
        """The dates in the coverage band's heading."""
        return f"ASSIGNMENT PERIOD  {us_date(self.effective)} {EN_DASH} {us_date(self.end)}"

    def _note_row(self, text: str) -> tuple[float, Callable[[float], None]]:
        size = self.density.table
        lines = self.wrap(text, self.w - 2 * PAD, size)
        h = len(lines) * self.c.line_height(size) + 2 * self.density.row_pad

        def draw_row(y: float) -> None:
            self.c.lines(self.x0 + PAD, y + self.density.row_pad, lines, size, "", SOFT)

        return h, draw_row

    def _coverage_row(
        self, line: dict[str, Any], xs: list[float]
    ) -> tuple[float, Callable[[float], None]]:
        c, d = self.c, self.density
        size = d.table
        lh = c.line_height(size, 1.2)
        widths = {key: width for key, _, width, _ in self.columns}
        type_lines, type_notes = self.type_lines(line, widths["type"] - 2.0, size)
        policy_lines = self.policy_lines(line, widths["policy"] - 2.0, size)
        limits = self.limit_items(line)
        limit_w = widths["limits"] - 2.0
        limit_lines: list[tuple[str, str]] = []
        if d.inline_limits:
            text = "; ".join(f"{label} {amount}" for label, amount in limits)
            limit_lines = [(part, "") for part in self.wrap(text, limit_w, size)]
        else:
            for label, amount in limits:
                label_w = limit_w - c.measure(amount, size, "B") - 1.5
                wrapped = self.wrap(label, label_w, size) or [""]
                limit_lines.append((wrapped[0], amount))
                limit_lines.extend((rest, "") for rest in wrapped[1:])
        n = max(len(type_lines) + len(type_notes), len(policy_lines), len(limit_lines), 1)
        h = n * lh + 2 * d.row_pad
        values = {
            "letter": self.p(line.get("insurer")),
            "addl": "Y" if line.get("additional_insured") else "N",
            "subr": "Y" if line.get("subrogation_waived") else "N",
            "effective": us_date(self.effective),
            "end": us_date(self.end),
        }

        def draw_row(y: float) -> None:
            top = y + d.row_pad
            for (key, _, width, align), cx in zip(self.columns, xs, strict=True):
                if key == "type":
                    below = c.lines(cx + 1.0, top, type_lines, size, "B", INK, 1.2)
                    c.lines(cx + 1.0, below, type_notes, size, "", INK, 1.2)
                elif key == "policy":
                    c.lines(cx + 1.0, top, policy_lines, size, "", INK, 1.2)
                elif key == "limits":
                    for i, (label, amount) in enumerate(limit_lines):
                        c.text(cx + 1.0, top + i * lh, label, size, "", INK)
                        c.text(cx + 1.0, top + i * lh, amount, size, "B", INK, "R", width - 2.0)
                else:
                    style = "B" if key == "letter" else ""
                    c.text(cx + 1.0, top, values[key], size, style, INK, align, width - 2.0)

        return h, draw_row

    def type_lines(
        self, line: dict[str, Any], width: float, size: float
    ) -> tuple[list[str], list[str]]:
        """The type-of-insurance cell: its bold lines, then plain lines below them."""
        return self.wrap(self.p(line.get("label"), "B").upper(), width, size, "B"), []

    def policy_lines(self, line: dict[str, Any], width: float, size: float) -> list[str]:
        return self.wrap(self.p(line.get("policy_number")), width, size)

    def limit_items(self, line: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, amount as printed) for the limits cell."""
        return [(self.p(label), money(amount)) for label, amount in line.get("limits", [])]

    def description(self, y: float) -> float:
        size = self.density.body
        inner = self.w - 2 * PAD
        lines: list[str] = []
        for paragraph in self.description_paragraphs():
            lines.extend(self.wrap(paragraph, inner, size))
        lines = self.c.limit_lines(lines, self.max_description_lines, inner, size)
        h = 1.1 + self.c.line_height(LABEL) + 0.4 + len(lines) * self.c.line_height(size) + PAD
        top = self.box(self.x0, y, self.w, h, "DESCRIPTION OF OPERATIONS / LOCATIONS / ASSIGNMENT")
        self.ls(self.x0 + PAD, top, lines, size)
        return y + h + GAP

    def description_paragraphs(self) -> list[str]:
        snap = self.snap
        assignment = snap.get("assignment") or {}
        holder = snap.get("holder") or {}
        days = (self.end - self.effective).days + 1
        work = self.p(assignment.get("description")) or "Work as agreed for this assignment."
        reference = self.p(assignment.get("external_id"))
        place = ", ".join(
            self.p(part) for part in [holder.get("name"), *holder.get("address", [])] if part
        )
        paragraphs = [
            f"Assignment {reference}: {work}" if reference else work,
            f"Location: {place.rstrip('.')}.",
            f"Assignment period: {long_date(self.effective)} through {long_date(self.end)}, both "
            f"dates inclusive ({days} day{'s' if days != 1 else ''}). This certificate evidences "
            "coverage for work performed by the insured during this period only.",
        ]
        if snap.get("partner"):
            paragraphs.append(f"Contractor placed by {self.p(snap['partner']).rstrip('.')}.")
        return paragraphs

    def holder_and_cancellation(self, y: float) -> float:
        holder = self.snap.get("holder") or {}
        size = self.density.body
        inner = self.half - 2 * PAD
        name_size = size + 2.0
        name = self.c.limit_lines(
            self.wrap(self.p(holder.get("name"), "B"), inner, name_size, "B"),
            3,
            inner,
            name_size,
            "B",
        )
        address = [self.c.clip(self.p(a), inner, size) for a in holder.get("address", [])][:4]
        left_h = (
            len(name) * self.c.line_height(name_size)
            + 0.6
            + len(address) * self.c.line_height(size)
        )
        right_h, draw_right = self.cancellation_block(inner, size)
        h = 1.1 + self.c.line_height(LABEL) + 0.4 + max(left_h, right_h) + PAD
        top = self.box(self.x0, y, self.half, h, "CERTIFICATE HOLDER")
        yy = self.ls(self.x0 + PAD, top, name, name_size, "B")
        self.ls(self.x0 + PAD, yy + 0.6, address, size)
        rx = self.x0 + self.half + GAP
        top = self.box(rx, y, self.half, h, "CANCELLATION")
        draw_right(rx, top)
        return y + h + GAP

    def cancellation_block(
        self, inner: float, size: float
    ) -> tuple[float, Callable[[float, float], None]]:
        """The cancellation box's content: its height, and how to draw it at (x, top)."""
        producer = self.snap.get("producer") or {}
        clause = self.fixed(CANCELLATION, inner, size)
        representative = self.c.limit_lines(
            self.wrap(
                "Issued electronically on behalf of "
                + self.p(producer.get("name") or self.snap.get("partner")),
                inner,
                size,
            ),
            2,
            inner,
            size,
        )
        right_h = (
            (len(clause) + len(representative)) * self.c.line_height(size)
            + 1.2
            + self.c.line_height(LABEL)
            + 0.4
        )

        def draw_right(rx: float, top: float) -> None:
            yy = self.ls(rx + PAD, top, clause, size) + 1.2
            self.t(rx + PAD, yy, "AUTHORIZED REPRESENTATIVE", LABEL, "B", SOFT)
            self.ls(rx + PAD, yy + self.c.line_height(LABEL) + 0.4, representative, size)

        return right_h, draw_right

    def verification(self, y: float) -> float:
        doc, c = self.doc, self.c
        h, qr_size, inset = 30.0, 24.0, 3.0
        if self.draw:
            c.rect(self.x0, y, self.w, h, stroke=RULE)
            c.qr_code(self.x0 + inset, y + inset, qr_size, doc.verify_url, INK)
            c.link(self.x0 + inset, y + inset, qr_size, qr_size, doc.verify_url)
        x = self.x0 + qr_size + 2 * inset + 1.0
        inner = self.x0 + self.w - PAD - x
        self.t(x, y + 2.6, "VERIFY THIS CERTIFICATE", 8.2, "B", ACCENT)
        self.t(x, y + 6.6, "Scan the QR code, or open", 7.2, "", INK)
        short = c.clip(short_address(doc.verify_url), inner, 9.0, "B")
        self.t(x, y + 9.7, short, 9.0, "B", INK)
        if self.draw:
            c.link(x, y + 9.5, c.measure(short, 9.0, "B"), 4.2, doc.verify_url)
        form = c.clip(
            f"or go to {short_address(doc.verify_form_url)} and enter the certificate number "
            "and this verification code:",
            inner,
            7.2,
        )
        self.t(x, y + 14.0, form, 7.2, "", INK)
        label = "VERIFICATION CODE"
        self.t(x, y + 18.0, label, LABEL, "B", SOFT)
        label_w = c.measure(label, LABEL, "B") + 2.0
        self.t(x + label_w, y + 17.2, grouped(doc.check_code), 9.6, "B", INK)
        note = self.fixed(VERIFY_NOTE, inner, 6.2)
        self.ls(x, y + 22.0, note[:2], 6.2, "", SOFT, 1.18)
        return y + h + GAP

    def footer(self) -> None:
        y = self.c.height - MARGIN - 2.6
        doc = self.doc
        self.t(
            self.x0,
            y,
            f"Certificate {doc.number} · issued "
            f"{doc.issued_at.strftime('%Y-%m-%d %H:%M')} UTC · form {self.version} · stated from "
            "the insurance program in force at issue; never altered afterwards",
            5.8,
            "",
            SOFT,
        )
        self.t(self.x0, y, "Page 1 of 1", 5.8, "", SOFT, "R", self.w)

    def _below_coverages_height(self) -> float:
        """Height of the sections after the coverage table (measured, not drawn)."""
        drawing, self.draw = self.draw, False
        try:
            y = self.description(0.0)
            y = self.holder_and_cancellation(y)
            return self.verification(y)
        finally:
            self.draw = drawing

    def layout(self) -> float:
        """Run every section from the top; returns the y where content ends. Measuring (not
        drawing), it stops at the first section that ends below the page: it does not fit."""
        y = self.header(MARGIN)
        for section in (
            self.notice,
            self.producer_and_contact,
            self.insured_and_insurers,
            self.coverages,
            self.description,
            self.holder_and_cancellation,
            self.verification,
        ):
            y = section(y)
            if not self.draw and y - GAP > self.bottom:
                return y - GAP
        if self.draw:
            self.footer()
        return y - GAP
