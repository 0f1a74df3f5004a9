"""The uploaded file as a table of text cells, whatever its format; and its limits."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 64
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
        }
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return gzip.compress(raw, compresslevel=1)

    @classmethod
    def loads(cls, data: bytes) -> Table:
        payload = json.loads(gzip.decompress(data))
        payload["rows"] = [(line, cells) for line, cells in payload["rows"]]
        return cls(**payload)


def build_table(kind: str, records: list[tuple[int, list[str]]], **meta: Any) -> Table:
    """Find the header among ``records`` (row number, cells) and check the row limits.

    The header is the first row with at least two filled cells (title rows above it are
    skipped). Empty rows are dropped; every other row below the header is a payment row.
    """
    filled = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
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
    width = min(max(len(c) for _line, c in filled[header_at:]), MAX_COLUMNS)
    header = [c.strip() for c in header_cells[:width]] + [""] * (width - len(header_cells))
    rows = [(line, cells[:width]) for line, cells in filled[header_at + 1 :]]
    if not rows:
        raise FileProblem(
            f"The file has a header row (row {header_line}) but no payment rows below it."
        )
    if len(rows) > MAX_ROWS:
        raise FileProblem(
            f"The file has {len(rows):,} payment rows; the limit is {MAX_ROWS:,}. "
            "Split it into smaller files and reconcile each."
        )
    return Table(kind=kind, header_line=header_line, header=header, rows=rows, **meta)
