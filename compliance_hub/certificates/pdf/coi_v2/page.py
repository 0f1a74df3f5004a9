"""coi-v2 layout: coi-v1's page with the program policy's term, the assignment's coverage
period labelled as such, occurrence / aggregate basis, a workers' compensation and employers'
liability row, the additional insured and waiver named, and a signed representative block.

Everything coi-v1 draws unchanged is inherited from ``coi_v1.page.Page``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from compliance_hub.certificates.pdf.coi_v1.page import (
    HAIR,
    INK,
    LABEL,
    PAD,
    SOFT,
)
from compliance_hub.certificates.pdf.coi_v1.page import (
    Page as V1Page,
)
from compliance_hub.certificates.pdf.coi_v1.wording import (
    CANCELLATION,
    EN_DASH,
    money,
    us_date,
)
from compliance_hub.certificates.pdf.coi_v2 import wording

VERSION = "coi-v2"

# Coverage table columns: (key, heading lines, width mm, alignment); 190.5 mm in all.
COLUMNS: tuple[tuple[str, tuple[str, ...], float, str], ...] = (
    ("letter", ("INSR", "LTR"), 7.5, "C"),
    ("type", ("TYPE OF INSURANCE",), 41.0, "L"),
    ("addl", ("ADDL", "INSD"), 8.0, "C"),
    ("subr", ("SUBR", "WVD"), 8.0, "C"),
    ("policy", ("POLICY NUMBER", "AND POLICY TERM"), 33.0, "L"),
    ("effective", ("ASSIGNMENT", "COVERAGE FROM", "(MM/DD/YYYY)"), 18.5, "C"),
    ("end", ("ASSIGNMENT", "COVERAGE TO", "(MM/DD/YYYY)"), 18.5, "C"),
    ("limits", ("LIMITS",), 56.0, "L"),
)


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class Page(V1Page):
    version = VERSION
    measure_first = True
    columns = COLUMNS
    coverage_statement = wording.COVERAGE_STATEMENT
    max_description_lines = 14

    def period_banner(self) -> str:
        return f"{wording.PERIOD_BANNER}  {us_date(self.effective)} {EN_DASH} {us_date(self.end)}"

    # -- coverage rows ------------------------------------------------------------------
    def type_lines(
        self, line: dict[str, Any], width: float, size: float
    ) -> tuple[list[str], list[str]]:
        label = self.p(line.get("label"), "B").upper()
        wc = line.get("workers_compensation")
        if wc is not None:
            label = f"{label} {wording.WC_TYPE_SUFFIX}"
        notes: list[str] = []
        if line.get("basis"):
            notes.append(f"{self.p(line['basis'])} basis")
        if line.get("aggregate_applies_per"):
            per = self.p(line["aggregate_applies_per"]).lower()
            notes.append(f"General aggregate applies per {per}")
        if wc is not None:
            if wc.get("limits"):
                notes.append(f"Limits: {self.p(wc['limits']).lower()}")
            if wc.get("proprietor_excluded") is not None:
                excluded = wording.yes_no(wc["proprietor_excluded"])
                notes.append(f"Proprietor / partner excluded: {excluded}")
        wrapped = [part for note in notes for part in self.wrap(note, width, size)]
        return self.wrap(label, width, size, "B"), wrapped

    def policy_lines(self, line: dict[str, Any], width: float, size: float) -> list[str]:
        lines = super().policy_lines(line, width, size)
        start, end = _date(line.get("policy_effective")), _date(line.get("policy_expiry"))
        # Under the heading "POLICY NUMBER AND POLICY TERM": on one line where it fits (small
        # type), else one date per line.
        if not (start or end):
            return lines
        term = [f"Term {us_date(start)}" if start else "Term", f"to {us_date(end)}" if end else ""]
        whole = " ".join(part for part in term if part)
        if self.c.measure(whole, size) <= width:
            return [*lines, whole]
        return lines + [part for text in term if text for part in self.wrap(text, width, size)]

    def limit_items(self, line: dict[str, Any]) -> list[tuple[str, str]]:
        items = super().limit_items(line)
        wc = line.get("workers_compensation") or {}
        for key, label in (
            ("el_each_accident", wording.EL_EACH_ACCIDENT),
            ("el_disease_each_employee", wording.EL_DISEASE_EMPLOYEE),
            ("el_disease_policy_limit", wording.EL_DISEASE_POLICY),
        ):
            if wc.get(key) is not None:
                items.append((label, money(wc[key])))
        return items

    # -- description --------------------------------------------------------------------
    def description_paragraphs(self) -> list[str]:
        paragraphs = super().description_paragraphs()
        snap = self.snap
        insured = self.p((snap.get("insured") or {}).get("name")) or "The insured"
        program = self.p(snap.get("partner") or (snap.get("producer") or {}).get("name"))
        holder = self.p((snap.get("holder") or {}).get("name")) or "the certificate holder"
        extra = []
        if program:
            extra.append(wording.PARTICIPANT.format(insured=insured, program=program.rstrip(".")))
        coverages = snap.get("coverages", [])
        for flag, sentence, column in (
            ("additional_insured", wording.ADDITIONAL_INSURED, "ADDL INSD"),
            ("subrogation_waived", wording.WAIVER, "SUBR WVD"),
        ):
            lines = [
                (self.p(c.get("label")), self.p(c.get("policy_number")))
                for c in coverages
                if c.get(flag)
            ]
            if lines:
                policies = wording.policies(lines, column)
                extra.append(sentence.format(holder=holder, policies=policies))
        # After the work, place and period; before "Contractor placed by".
        return paragraphs[:3] + extra + paragraphs[3:]

    # -- cancellation and signature -----------------------------------------------------
    def cancellation_block(
        self, inner: float, size: float
    ) -> tuple[float, Callable[[float, float], None]]:
        c = self.c
        producer = self.snap.get("producer") or {}
        representative = self.snap.get("representative") or {}
        issuer = self.p(producer.get("name") or self.snap.get("partner")).rstrip(".")
        name = self.p(representative.get("name"))
        title = self.p(representative.get("title"))
        clause = self.fixed(CANCELLATION, inner, size)
        signature = c.clip(f"/s/ {name}", inner, size + 1.0, "B") if name else ""
        who = ", ".join(part for part in (name, title) if part) or (
            wording.NO_REPRESENTATIVE.format(producer=issuer)
        )
        who_lines = c.limit_lines(self.wrap(who, inner, size), 2, inner, size)
        fine = self.density.fine
        statement = c.limit_lines(
            self.wrap(wording.ELECTRONIC_SIGNATURE.format(producer=issuer), inner, fine),
            3,
            inner,
            fine,
        )
        label_h = c.line_height(LABEL) + 0.4
        sign_h = c.line_height(size + 1.0) + 0.6
        height = (
            len(clause) * c.line_height(size)
            + 1.2
            + label_h
            + sign_h
            + len(who_lines) * c.line_height(size)
            + 0.4
            + len(statement) * c.line_height(fine, 1.18)
        )

        def draw_right(rx: float, top: float) -> None:
            yy = self.ls(rx + PAD, top, clause, size) + 1.2
            self.t(rx + PAD, yy, "AUTHORIZED REPRESENTATIVE", LABEL, "B", SOFT)
            yy += label_h
            self.t(rx + PAD, yy, signature, size + 1.0, "B", INK)
            yy += sign_h
            if self.draw:
                c.hline(rx + PAD, rx + PAD + inner, yy - 0.3, HAIR, 0.25)
            yy = self.ls(rx + PAD, yy, who_lines, size) + 0.4
            self.ls(rx + PAD, yy, statement, fine, "", SOFT, 1.18)

        return height, draw_right
