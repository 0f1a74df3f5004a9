"""A contractor's certificate cover at a facility as sorted intervals, queried with bisect."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Cover:
    """One current certificate: the days it covers (inclusive) and its number."""

    start: date
    end: date
    certificate_id: int
    number: str

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.certificate_id,
            "number": self.number,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }


class CoverIndex:
    """All covers of one contractor. Overlapping and adjacent covers merge into spans."""

    __slots__ = ("covers", "max_end", "span_ends", "span_starts", "spans", "starts")

    def __init__(self, covers: list[Cover]) -> None:
        self.covers = sorted(covers, key=lambda c: (c.start, c.end, c.number))
        self.starts = [c.start for c in self.covers]
        self.max_end: list[date] = []
        running = date.min
        for cover in self.covers:
            running = max(running, cover.end)
            self.max_end.append(running)
        self.spans: list[tuple[date, date]] = []
        for cover in self.covers:
            if self.spans and cover.start <= self.spans[-1][1] + ONE_DAY:
                if cover.end > self.spans[-1][1]:
                    self.spans[-1] = (self.spans[-1][0], cover.end)
            else:
                self.spans.append((cover.start, cover.end))
        self.span_starts = [s for s, _e in self.spans]
        self.span_ends = [e for _s, e in self.spans]

    def overlapping(self, start: date, end: date) -> list[Cover]:
        """Covers sharing at least one day with ``start``..``end``, earliest first."""
        found: list[Cover] = []
        index = bisect_right(self.starts, end) - 1
        while index >= 0 and self.max_end[index] >= start:
            if self.covers[index].end >= start:
                found.append(self.covers[index])
            index -= 1
        found.reverse()
        return found

    def covered_parts(self, start: date, end: date) -> list[tuple[date, date]]:
        """The covered stretches of ``start``..``end``."""
        parts: list[tuple[date, date]] = []
        index = max(bisect_right(self.span_starts, start) - 1, 0)
        while index < len(self.spans) and self.spans[index][0] <= end:
            s, e = self.spans[index]
            if e >= start:
                parts.append((max(s, start), min(e, end)))
            index += 1
        return parts

    def last_before(self, day: date) -> tuple[date, date] | None:
        """The latest covered span that ends before ``day``."""
        index = bisect_left(self.span_ends, day) - 1
        return self.spans[index] if index >= 0 else None

    def first_after(self, day: date) -> tuple[date, date] | None:
        """The earliest covered span that starts after ``day``."""
        index = bisect_right(self.span_starts, day)
        return self.spans[index] if index < len(self.spans) else None


def gaps(start: date, end: date, parts: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The stretches of ``start``..``end`` not in ``parts`` (sorted, non-overlapping)."""
    missing: list[tuple[date, date]] = []
    cursor = start
    for s, e in parts:
        if s > cursor:
            missing.append((cursor, s - ONE_DAY))
        cursor = max(cursor, e + ONE_DAY)
    if cursor <= end:
        missing.append((cursor, end))
    return missing


def describe_days(stretches: list[tuple[date, date]], limit: int = 6) -> str:
    """``2026-03-04 to 2026-03-06, 2026-03-09`` (and how many more)."""
    texts = [
        s.isoformat() if s == e else f"{s.isoformat()} to {e.isoformat()}"
        for s, e in stretches[:limit]
    ]
    if len(stretches) > limit:
        texts.append(f"and {len(stretches) - limit} more")
    return ", ".join(texts)


def day_count(stretches: list[tuple[date, date]]) -> int:
    return sum((e - s).days + 1 for s, e in stretches)
