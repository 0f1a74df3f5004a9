"""The uploaded file as a table of text cells, whatever its format."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from typing import Any

from compliance_hub.audits.parsing.limits import MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from compliance_hub.audits.parsing.values import ValueProblem, parse_amount, parse_date
from compliance_hub.core.text import has_bidi_controls, neutralise_bidi

# Rows above the header that may hold a title ("Payments Q1 2026") and are skipped.
HEADER_SEARCH_ROWS = 20


class FileProblem(Exception):
    """The file as a whole cannot be used; ``str(exc)`` is the message for the person."""


@dataclass
class Table:
    """Header and data rows of one sheet; each row keeps its row number in the file."""

    kind: str  # "csv" or "xlsx"
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: list[str] = field(default_factory=list)
    headerless: bool = False  # the first row is a payment: the columns have no names

    def cell(self, row: list[str], column: int | None) -> str:
        """The stripped text of ``row[column]`` ("" when absent)."""
        if column is None or column >= len(row):
            return ""
        return row[column].strip()

    def dumps(self) -> bytes:
        """Compact storage form (gzip'd JSON)."""
        payload = {
            "kind": self.kind,
            "header_line": self.header_line,
            "header": self.header,
            "rows": self.rows,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "notes": self.notes,
            "headerless": self.headerless,
        }
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return gzip.compress(raw, compresslevel=1)

    @classmethod
    def loads(cls, data: bytes) -> Table:
        payload = json.loads(gzip.decompress(data))
        payload["rows"] = [(line, cells) for line, cells in payload["rows"]]
        return cls(**payload)


class Records:
    """The file's non-empty rows as they are read, refused as soon as one passes a limit.

    Bidirectional control characters are removed from every cell kept: they could make a
    name on a page, report or packet read as something else.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[int, list[str]]] = []
        self.cells = 0

    def add(self, line: int, cells: list[str]) -> None:
        """Keep row ``line`` (its first ``MAX_COLUMNS`` cells, trailing empty ones dropped)."""
        self.cells += len(cells)
        if self.cells > MAX_CELLS:
            raise FileProblem(
                f"The file has more than {MAX_CELLS:,} cells by row {line:,}; the limit is "
                f"{MAX_CELLS:,} cells. Export only the schedule's columns and rows."
            )
        kept = cells[:MAX_COLUMNS]
        if has_bidi_controls("".join(kept)):
            kept = [neutralise_bidi(c) for c in kept]
        while kept and not kept[-1].strip():
            kept.pop()
        if not kept:
            return
        longest = max(map(len, kept))
        if longest > MAX_CELL_CHARS:
            raise FileProblem(
                f"Row {line:,} has a cell of {longest:,} characters; the limit is "
                f"{MAX_CELL_CHARS:,}."
            )
        self.rows.append((line, kept))
        if len(self.rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise FileProblem(
                f"The file has more than {MAX_ROWS:,} payment rows; split it into smaller "
                "files and reconcile each."
            )


def build_table(kind: str, records: Records, **meta: Any) -> Table:
    """Find the header among ``records`` and check the row limits.

    The header is the first row with at least two filled cells (title rows above it are
    skipped). Every row below the header is a payment row.
    """
    filled = records.rows
    if not filled:
        raise FileProblem("The file is empty: it has no rows with any values.")
    header_at = None
    for index, (_line, cells) in enumerate(filled[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in cells if c.strip()) >= 2:
            header_at = index
            break
    if header_at is None:
        raise FileProblem(
            "The hub found only one column. Use a CSV with columns separated by commas, "
            "semicolons or tabs, or an XLSX workbook, with a header row such as "
            "“Contractor, Work date, Amount”."
        )
    header_line, header_cells = filled[header_at]
    width = max(len(c) for _line, c in filled[header_at:])
    headerless = looks_like_data(header_cells)
    if headerless:
        header_line, header_cells = 0, []
        rows = filled[header_at:]
    else:
        rows = filled[header_at + 1 :]
    header = [c.strip() for c in header_cells] + [""] * (width - len(header_cells))
    if not rows:
        raise FileProblem(
            f"The file has a header row (row {header_line}) but no payment rows below it."
        )
    if len(rows) > MAX_ROWS:
        raise FileProblem(
            f"The file has {len(rows):,} payment rows; the limit is {MAX_ROWS:,}. "
            "Split it into smaller files and reconcile each."
        )
    return Table(
        kind=kind,
        header_line=header_line,
        header=header,
        rows=rows,
        headerless=headerless,
        **meta,
    )


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def looks_like_data(cells: list[str]) -> bool:
    """The row reads as a payment, not as column names: no cell names a known field, and a
    cell holds a date, an amount or an e-mail address."""
    from compliance_hub.audits.columns import guess_mapping

    texts = [c.strip() for c in cells]
    if any(column is not None for column in guess_mapping(texts).values()):
        return False
    for text in texts:
        if not text:
            continue
        if _EMAIL.match(text):
            return True
        try:
            parse_date(text)
            return True
        except ValueProblem:
            pass
        if any(ch.isdigit() for ch in text):
            try:
                parse_amount(text)
                return True
            except ValueProblem:
                pass
    return False
