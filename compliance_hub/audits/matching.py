"""Matching payment rows to certificate cover: plain, in-memory, one pass over the rows.

A row is **covered** when every day of its work date or service period is covered by a
current certificate of an active assignment of that contractor at the facility;
**partial** when only some days are (the uncovered days are listed); **not covered** when
none are (the nearest cover before and after is given). **ambiguous** when several
contractors could be the person, **unknown** when nobody at the facility matches,
**invalid** when the row could not be read.

A manual decision (``Decision``) saved for the row's written name, e-mail and id replaces
the lookup: the chosen contractor's cover decides, or the row is **excluded** ("not a
contractor of this facility").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from compliance_hub.audits.coverage import (
    Cover,
    CoverIndex,
    day_count,
    describe_days,
    gaps,
)
from compliance_hub.audits.identity import IdentityIndex, Person, Resolution, decision_key
from compliance_hub.audits.models import Status
from compliance_hub.audits.schedule import PaymentRow

_EMPTY = CoverIndex([])
USD = "USD"
CENT = Decimal("0.01")
MANUAL = "manual decision"


@dataclass(frozen=True, slots=True)
class Decision:
    """A saved manual decision: the contractor chosen (``None``: not a contractor here)."""

    contractor_id: int | None
    text: str  # "Lisa Turner, chosen by ann@… on 2026-12-05"


Decisions = dict[tuple[str, str, str], Decision]


@dataclass(slots=True)
class Outcome:
    """What the hub found for one row."""

    row: PaymentRow
    status: str
    person: Person | None = None
    how: str = ""
    certificates: list[Cover] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    before: tuple[date, str] | None = None  # last covered day before, certificate number
    after: tuple[date, str] | None = None  # first covered day after, certificate number
    wants_hint: bool = False  # not (fully) covered: say the nearest cover
    decision: str = ""
    uncovered_days: int = 0

    def note(self) -> str:
        parts = list(self.notes)
        if self.wants_hint:
            parts.append(_hint(self.before, self.after))
        return " ".join(parts)


def _hint(before: tuple[date, str] | None, after: tuple[date, str] | None) -> str:
    text_before = (
        f"until {before[0].isoformat()}" + (f" ({before[1]})" if before[1] else "")
        if before
        else "none"
    )
    text_after = (
        f"from {after[0].isoformat()}" + (f" ({after[1]})" if after[1] else "") if after else "none"
    )
    return f"Nearest cover before: {text_before}; after: {text_after}."


def _days(row: PaymentRow) -> str:
    assert row.start is not None and row.end is not None
    if row.start == row.end:
        return row.start.isoformat()
    return f"{row.start.isoformat()} to {row.end.isoformat()}"


def build_covers(covers: dict[int, list[Cover]]) -> dict[int, CoverIndex]:
    return {cid: CoverIndex(items) for cid, items in covers.items()}


def _number_ending(index: CoverIndex, day: date) -> str:
    found = index.overlapping(day, day)
    return found[-1].number if found else ""


def _number_starting(index: CoverIndex, day: date) -> str:
    found = index.overlapping(day, day)
    return found[0].number if found else ""


def in_other_currency(row: PaymentRow) -> bool:
    """The amount is written in a currency other than US dollars (never added to them)."""
    return row.amount is not None and row.currency not in ("", USD)


def uncovered_amount(outcome: Outcome) -> Decimal | None:
    """The US-dollar part of the payment for days not covered: all of it when not covered,
    the uncovered days' share (pro rata by day) when partly covered; else ``None``."""
    row = outcome.row
    if row.amount is None or in_other_currency(row) or row.duplicate_of is not None:
        return None
    if outcome.status == Status.NOT_COVERED:
        return row.amount
    if outcome.status == Status.PARTIAL and row.start is not None and row.end is not None:
        total = (row.end - row.start).days + 1
        share = row.amount * outcome.uncovered_days / total
        return share.quantize(CENT, rounding=ROUND_HALF_UP)
    return None


def _decided(
    row: PaymentRow, people: IdentityIndex, decisions: Decisions | None
) -> tuple[Outcome | None, Person | None, str]:
    """The row's manual decision, if any: an excluded outcome, or the person chosen."""
    if not decisions:
        return None, None, ""
    decision = decisions.get(decision_key(row.name, row.email, row.contractor_id))
    if decision is None:
        return None, None, ""
    if decision.contractor_id is None:
        outcome = Outcome(
            row,
            Status.EXCLUDED,
            how=MANUAL,
            decision=decision.text,
            notes=[f"Manual decision: not a contractor of this facility ({decision.text})."],
        )
        return outcome, None, decision.text
    person = people.people.get(decision.contractor_id)
    if person is None:  # no longer assigned here: the decision cannot apply
        return None, None, ""
    return None, person, decision.text


def match_row(
    row: PaymentRow,
    people: IdentityIndex,
    covers: dict[int, CoverIndex],
    voided: dict[int, CoverIndex],
    decisions: Decisions | None = None,
) -> Outcome:
    """Decide one row's status against the facility's contractors and their cover."""
    if not row.valid:
        return Outcome(row, Status.INVALID, notes=list(row.errors))
    assert row.start is not None and row.end is not None
    excluded, chosen, decided = _decided(row, people, decisions)
    if excluded is not None:
        return excluded
    if chosen is not None:
        found = Resolution([chosen], MANUAL, [f"Manual decision: {decided}."])
    else:
        found = people.resolve(row.name, row.email, row.contractor_id)
    if not found.people:
        written = row.name or row.email or row.contractor_id
        return Outcome(
            row,
            Status.UNKNOWN,
            notes=[*found.remarks, f"Nobody at this facility matches “{written}”."],
        )
    if len(found.people) > 1:
        return _ambiguous(row, found.people, found.remarks, covers)
    person = found.people[0]
    index = covers.get(person.id, _EMPTY)
    outcome = Outcome(
        row, Status.COVERED, person=person, how=found.how, notes=found.remarks, decision=decided
    )
    outcome.certificates = index.overlapping(row.start, row.end)
    parts = index.covered_parts(row.start, row.end)
    missing = gaps(row.start, row.end, parts)
    if not missing:
        return outcome
    outcome.uncovered_days = day_count(missing)
    if parts:
        outcome.status = Status.PARTIAL
        total = (row.end - row.start).days + 1
        outcome.notes.append(
            f"Not covered: {describe_days(missing)} ({day_count(missing)} of {total} days)."
        )
    else:
        outcome.status = Status.NOT_COVERED
        outcome.notes.append(f"No current certificate covers {_days(row)}.")
        void = voided.get(person.id, _EMPTY).overlapping(row.start, row.end)
        if void:
            numbers = ", ".join(c.number for c in void)
            outcome.notes.append(f"Void certificate (cancelled assignment): {numbers}.")
    outcome.wants_hint = True
    before = index.last_before(row.start)
    after = index.first_after(row.end)
    if before:
        outcome.before = (before[1], _number_ending(index, before[1]))
    if after:
        outcome.after = (after[0], _number_starting(index, after[0]))
    return outcome


def _ambiguous(
    row: PaymentRow, candidates: list[Person], remarks: list[str], covers: dict[int, CoverIndex]
) -> Outcome:
    assert row.start is not None and row.end is not None
    listed: list[dict[str, Any]] = []
    descriptions: list[str] = []
    for person in candidates:
        index = covers.get(person.id, _EMPTY)
        certificates = index.overlapping(row.start, row.end)
        missing = gaps(row.start, row.end, index.covered_parts(row.start, row.end))
        cover = "none" if not certificates else ("partial" if missing else "covered")
        listed.append(
            {
                "id": person.id,
                "name": person.label,
                "email": person.email,
                "external_id": person.external_id,
                "cover": cover,
                "numbers": [c.number for c in certificates],
            }
        )
        ids = ", ".join(x for x in (person.external_id, person.email) if x)
        state = {
            "none": "no certificate for these days",
            "partial": "partly covered by " + ", ".join(c.number for c in certificates),
            "covered": "covered by " + ", ".join(c.number for c in certificates),
        }[cover]
        descriptions.append(f"{person.label} ({ids}): {state}")
    written = row.name or row.email or row.contractor_id
    note = (
        f"{len(candidates)} contractors at this facility could be “{written}”: "
        + "; ".join(descriptions)
        + ". Add an e-mail or contractor-id column to tell them apart."
    )
    return Outcome(row, Status.AMBIGUOUS, candidates=listed, notes=[*remarks, note])


def match_all(
    rows: Iterable[PaymentRow],
    people: IdentityIndex,
    covers: dict[int, CoverIndex],
    voided: dict[int, CoverIndex],
    decisions: Decisions | None = None,
) -> list[Outcome]:
    outcomes = [match_row(row, people, covers, voided, decisions) for row in rows]
    for outcome in outcomes:
        if in_other_currency(outcome.row):
            outcome.notes.append(
                f"Amount in {outcome.row.currency}: not added to the US-dollar totals "
                "or the exposure estimate."
            )
    return outcomes


def needing_hints(outcomes: list[Outcome]) -> tuple[set[int], set[int]]:
    """Contractors whose nearest cover before / after lies outside what was loaded."""
    before: set[int] = set()
    after: set[int] = set()
    for outcome in outcomes:
        if outcome.wants_hint and outcome.person is not None:
            if outcome.before is None:
                before.add(outcome.person.id)
            if outcome.after is None:
                after.add(outcome.person.id)
    return before, after


def apply_hints(outcomes: list[Outcome], before: dict[int, date], after: dict[int, date]) -> None:
    """Fill in nearest cover found beyond the loaded window (dates only)."""
    for outcome in outcomes:
        if not outcome.wants_hint or outcome.person is None:
            continue
        if outcome.before is None and outcome.person.id in before:
            outcome.before = (before[outcome.person.id], "")
        if outcome.after is None and outcome.person.id in after:
            outcome.after = (after[outcome.person.id], "")


def totals(outcomes: list[Outcome]) -> dict[str, Any]:
    """Count and amount (US dollars) per status; duplicates are counted apart, once, not in
    the statuses. Amounts in another currency are counted in their status but added up only
    per currency (``"currencies"``), never with the dollars. ``"uncovered"`` is the dollar
    amount paid for days not covered (the base of the exposure estimate)."""
    keys = [*Status.values, "duplicate", "all", "manual"]
    result: dict[str, dict[str, Any]] = {k: {"count": 0, "amount": Decimal("0")} for k in keys}
    currencies: dict[str, dict[str, Any]] = {}
    uncovered = Decimal("0")
    for outcome in outcomes:
        row = outcome.row
        amount = row.amount or Decimal("0")
        bucket = "duplicate" if row.duplicate_of is not None else outcome.status
        if in_other_currency(row):
            if bucket != "duplicate":
                other = currencies.setdefault(row.currency, {"count": 0, "amount": Decimal("0")})
                other["count"] += 1
                other["amount"] += amount
            amount = Decimal("0")
        result[bucket]["count"] += 1
        result[bucket]["amount"] += amount
        if bucket != "duplicate":
            result["all"]["count"] += 1
            result["all"]["amount"] += amount
            if outcome.decision:
                result["manual"]["count"] += 1
                result["manual"]["amount"] += amount
        uncovered += uncovered_amount(outcome) or Decimal("0")
    summed: dict[str, Any] = {
        key: {"count": v["count"], "amount": str(v["amount"].quantize(CENT))}
        for key, v in result.items()
    }
    summed["currencies"] = {
        code: {"count": v["count"], "amount": str(v["amount"].quantize(CENT))}
        for code, v in sorted(currencies.items())
    }
    summed["uncovered"] = str(uncovered.quantize(CENT))
    return summed
