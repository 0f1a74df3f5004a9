"""Keyset pagination: the one implementation behind every paged list of the hub.

A page is the rows after (or before) the last (first) row shown in a fixed order whose last
field is unique (the id), so no row is skipped or repeated however many share a date, and a
deep page costs what the first costs. ``Keyset`` gives the order, the condition and the
cursor: an opaque, URL-safe token naming the order it was made for and that row's values.

Cursors come back from clients: ``Keyset.parse`` accepts only what ``Keyset.cursor`` can
write (the same order, each value of its field's type and range) and raises
``InvalidCursor`` for anything else, so a damaged link is a clear error, never a database
error.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import F, Q
from django.db.models.expressions import OrderBy

MAX_CURSOR_LENGTH = 1200  # a cursor of the longest name the table sorts by fits
MAX_ID = 2**63 - 1  # the largest id a 64-bit primary key holds
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


class InvalidCursor(ValueError):
    """A page link that was damaged, truncated, or made for another order."""


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _checked(value: Any, kind: type) -> Any:
    """``value`` read back as ``kind``; InvalidCursor unless it is one ``_plain`` could write."""
    if kind is int:
        if type(value) is int and 0 < value <= MAX_ID:
            return value
    elif isinstance(value, str):
        try:
            if kind is str and "\x00" not in value:
                value.encode()  # raises for a lone surrogate, which no database stores
                return value
            if kind is date and value.isascii():
                return date.fromisoformat(value)
            if kind is datetime and value.isascii():
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is not None:
                    return moment.astimezone(UTC)  # still a datetime in UTC (else Overflow)
        except (ValueError, OverflowError):
            pass
    raise InvalidCursor(f"not a {kind.__name__}")


@dataclass(frozen=True)
class Keyset:
    """An order over ``fields`` (the last one unique), all descending or all ascending.

    ``kinds`` are the fields' Python types (``str``, ``int``, ``date`` or ``datetime``);
    ``name`` is written into every cursor, so that one made for another order is refused.
    """

    name: str
    fields: tuple[str, ...]
    kinds: tuple[type, ...]
    descending: bool

    def order_by(self, *, backwards: bool = False) -> list[OrderBy]:
        """The display order (``backwards``: the reverse, for the page before a cursor)."""
        descending = self.descending != backwards
        return [F(f).desc() if descending else F(f).asc() for f in self.fields]

    def beyond(self, values: tuple[Any, ...], *, backwards: bool = False) -> Q:
        """Rows after ``values`` in the display order (``backwards``: before them).

        ``a <= x AND (a < x OR (b, ...) beyond)``: the same rows as ``(a, b) < (x, y)``, with
        a leading range an index on ``(a, b)`` reads from, skipping only ties of ``a``.
        """
        op = "lt" if self.descending != backwards else "gt"
        condition = Q(**{f"{self.fields[-1]}__{op}": values[-1]})
        for field, value in zip(self.fields[-2::-1], values[-2::-1], strict=True):
            condition = Q(**{f"{field}__{op}e": value}) & (
                Q(**{f"{field}__{op}": value}) | condition
            )
        return condition

    def cursor(self, values: tuple[Any, ...]) -> str:
        """The token of the row whose ``fields`` hold ``values``."""
        raw = json.dumps(
            [self.name, *map(_plain, values)], separators=(",", ":"), ensure_ascii=False
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def parse(self, token: str) -> tuple[Any, ...]:
        """The values in a token ``cursor`` made for this order; InvalidCursor otherwise."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_CURSOR_LENGTH:
            raise InvalidCursor("empty or too long")
        if not _TOKEN.fullmatch(token):
            raise InvalidCursor("not base64url")
        try:
            items = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, binascii.Error, RecursionError) as exc:
            raise InvalidCursor("undecodable") from exc
        if not isinstance(items, list) or len(items) != len(self.kinds) + 1:
            raise InvalidCursor("wrong shape")
        if items[0] != self.name:
            raise InvalidCursor("made for another order")
        return tuple(map(_checked, items[1:], self.kinds))
