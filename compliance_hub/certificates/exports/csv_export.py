"""The table as CSV, streamed: UTF-8 with a byte order mark (so Excel reads the accents),
RFC 4180 quoting and line ends, every text cell neutralised against formula injection.

Two writers of the same bytes: ``stream_csv`` (Python's ``csv`` over ``rows.export_rows``;
any database) and, on PostgreSQL, ``stream_csv_copy``: the database formats every cell
(``rows.csv_cells_query``) and writes the CSV itself with ``COPY (...) TO STDOUT (FORMAT
csv)``; the rows are passed on as they arrive, in chunks. PostgreSQL ends records with LF;
each COPY message is exactly one record, so its final LF becomes CRLF (an LF inside a quoted
value is left alone), and the output is byte for byte ``stream_csv``'s.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, connections

from compliance_hub.certificates.exports.rows import (
    HEADERS,
    ExportRow,
    csv_cells_query,
    render_all_pending,
)
from compliance_hub.core import replica
from compliance_hub.core.text import spreadsheet_cell as neutralise

CHUNK = 64 * 1024
BOM = "\ufeff"


class TextBuffer:
    """What a ``csv.writer`` wrote since the last ``take``, as UTF-8 bytes."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self.size += len(text)
        return len(text)

    def take(self) -> bytes:
        data = "".join(self._parts).encode("utf-8")
        self._parts.clear()
        self.size = 0
        return data


def csv_cells(row: ExportRow) -> tuple[str, ...]:
    """One row as CSV text: ISO dates, ``YYYY-MM-DD HH:MM:SS`` UTC times, text defused."""
    return (
        neutralise(row.contractor),
        row.effective.isoformat(),
        row.end.isoformat(),
        neutralise(row.description),
        neutralise(row.number),
        row.status,
        f"{row.issued_at:%Y-%m-%d %H:%M:%S}" if row.issued_at is not None else "",
        row.sha256,
        row.link,
    )


def header() -> bytes:
    """The byte order mark and the header line."""
    buffer = TextBuffer()
    buffer.write(BOM)
    csv.writer(buffer).writerow(HEADERS)
    return buffer.take()


def stream_csv(rows: Iterable[ExportRow]) -> Iterator[bytes]:
    """The CSV in chunks of about 64 KiB. The header comes first, before ``rows`` is read."""
    yield header()
    buffer = TextBuffer()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(csv_cells(row))
        if buffer.size >= CHUNK:
            yield buffer.take()
    tail = buffer.take()
    if tail:
        yield tail


def copy_available() -> bool:
    """Whether ``stream_csv_copy`` can run on the default database (PostgreSQL, psycopg 3)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def stream_csv_copy(*query: Any, **options: Any) -> Iterator[bytes]:
    """The CSV of ``rows.csv_cells_query(*query, **options)``, written by PostgreSQL's COPY.

    The header comes first; then the rows' pending certificates are rendered
    (``rows.render_all_pending``) and the query runs. Chunks of about 64 KiB.
    """
    yield header()
    rendered = render_all_pending(*query, **options)  # so that every row has its SHA-256
    cells = csv_cells_query(*query, **options)
    sql, params = cells.query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    buffer = bytearray()
    # COPY bypasses the router: ask it. Just-rendered rows may not have reached a replica.
    alias = replica.PRIMARY if rendered else replica.read_alias(cells.model)
    with connections[alias].cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor (client-side binding, so params work)
        with raw.copy(statement, params) as copy:
            for record in copy:
                buffer += record[:-1]
                buffer += b"\r\n"
                if len(buffer) >= CHUNK:
                    yield bytes(buffer)
                    buffer.clear()
    if buffer:
        yield bytes(buffer)
