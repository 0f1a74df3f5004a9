"""Coverage timelines: covered days against paid days, as geometry for an inline SVG.

The template draws the shapes with CSS classes (no inline style, no script); every
timeline has a text alternative that says the same thing in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from compliance_hub.audits.coverage import describe_days
from compliance_hub.audits.models import Status

WIDTH = 800.0
LEFT = 64.0  # lane labels
RIGHT = 8.0
MIN_BAR = 2.0
COVER_Y, PAID_Y, BAR_H = 6.0, 30.0, 16.0
AXIS_Y = 60.0
HEIGHT = 68.0

PAID_CLASS = {
    Status.COVERED: "tl-paid-covered",
    Status.PARTIAL: "tl-paid-partial",
    Status.NOT_COVERED: "tl-paid-missing",
}
_PAID_WORD = {
    Status.COVERED: "covered",
    Status.PARTIAL: "partly covered",
    Status.NOT_COVERED: "not covered",
}


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    """One contractor's picture and its words."""

    contractor_id: int
    label: str
    covered: list[Bar] = field(default_factory=list)
    paid: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    summary: str = ""

    width = WIDTH
    height = HEIGHT
    left = LEFT
    cover_y = COVER_Y
    paid_y = PAID_Y
    bar_h = BAR_H
    axis_y = AXIS_Y
    label_cover_y = COVER_Y + BAR_H - 4
    label_paid_y = PAID_Y + BAR_H - 4
    axis_right = WIDTH - RIGHT
    lane_width = WIDTH - RIGHT - LEFT


class _Scale:
    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.days = (end - start).days + 1
        self.inner = WIDTH - LEFT - RIGHT

    def x(self, day: date) -> float:
        return round(LEFT + (day - self.start).days / self.days * self.inner, 2)

    def width(self, start: date, end: date) -> float:
        return round(max(((end - start).days + 1) / self.days * self.inner, MIN_BAR), 2)


def _day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


def _ticks(scale: _Scale, start: date, end: date) -> list[Tick]:
    days = (end - start).days + 1
    if days <= 62:
        step = 7 if days > 14 else 1
        first = start
        return [
            Tick(scale.x(first + timedelta(days=i)), _day_label(first + timedelta(days=i)))
            for i in range(0, days, step)
        ]
    months: list[date] = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        if cursor >= start:
            months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    step = max(1, -(-len(months) // 12))
    return [
        Tick(scale.x(m), f"{m:%b %Y}" if m.month == 1 or i == 0 else f"{m:%b}")
        for i, m in enumerate(months[::step])
    ]


def _span(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def build(
    contractor_id: int,
    label: str,
    period: tuple[date, date],
    covered: list[tuple[date, date]],
    paid: list[tuple[int, date, date, str]],
) -> Timeline:
    """A timeline over ``period`` from covered stretches and paid rows (line, from, to, status)."""
    start, end = period
    scale = _Scale(start, end)
    timeline = Timeline(contractor_id=contractor_id, label=label, ticks=_ticks(scale, start, end))
    for s, e in covered:
        timeline.covered.append(
            Bar(scale.x(s), scale.width(s, e), "tl-covered", f"Covered {_span(s, e)}")
        )
    counts: dict[str, int] = {}
    problems: list[tuple[date, date]] = []
    for line, s, e, status in sorted(paid, key=lambda p: (p[1], p[0])):
        word = _PAID_WORD.get(Status(status), status)
        counts[word] = counts.get(word, 0) + 1
        if status != Status.COVERED:
            problems.append((s, e))
        timeline.paid.append(
            Bar(
                scale.x(s),
                scale.width(s, e),
                PAID_CLASS.get(Status(status), "tl-paid-missing"),
                f"Row {line}: paid for {_span(s, e)}, {word}",
            )
        )
    cover_text = (
        f"covered {describe_days(covered, limit=8)}" if covered else "no cover in this period"
    )
    paid_text = ", ".join(f"{n} {word}" for word, n in counts.items())
    summary = (
        f"{label}, {start.isoformat()} to {end.isoformat()}: {cover_text}. "
        f"{len(paid)} paid row(s): {paid_text or 'none'}."
    )
    if problems:
        summary += f" Paid but not fully covered: {describe_days(problems, limit=8)}."
    timeline.summary = summary
    return timeline
