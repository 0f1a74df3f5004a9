"""XLSX workbooks: the package checked from its ZIP directory, then read by calamine in a
child process limited in memory and time, so that no workbook can stall, exhaust or crash
the web worker (a native parser aborts the whole process when an allocation fails)."""

from __future__ import annotations

import io
import logging
import os
import resource
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse

from compliance_hub.audits.parsing.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_SHARED_STRINGS,
    MAX_UNPACKED_BYTES,
    MB,
    PARSE_MEMORY,
    PARSE_SECONDS,
    RATIO_CHECKED_FROM,
)
from compliance_hub.audits.parsing.table import FileProblem, Records, Table, build_table
from compliance_hub.core.text import neutralise_bidi

logger = logging.getLogger(__name__)

SERIAL_1904_NOTE = "1904"
DAMAGED = (
    "This workbook could not be read (it may be damaged). Open it in Excel and save it "
    "again, or export the schedule as CSV."
)
_ROOT = str(Path(__file__).resolve().parents[3])
_CHILD = "import sys; sys.path.insert(0, sys.argv[1]); from {} import child_main; child_main()"
_NO_MEMORY = 3  # the child's exit status when Python runs out of memory


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def check_package(data: bytes) -> None:
    """Refuse, from the ZIP's central directory alone (nothing is unpacked), a package that
    is not a workbook or that would unpack to far more than a schedule."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileProblem(
            "This file starts like an XLSX workbook but is damaged. Open it in Excel and save "
            "it again, or export the schedule as CSV."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise FileProblem(
            f"The workbook holds {len(members):,} parts; the limit is {MAX_MEMBERS:,}. "
            "Export the schedule as CSV."
        )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise FileProblem(
                "This is an OpenDocument spreadsheet (.ods). Save it as XLSX or CSV first."
            )
        raise FileProblem("This is a ZIP archive, not an Excel workbook. Upload a CSV or XLSX.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem(
            f"The workbook unpacks to {unpacked / MB:,.0f} MB; the limit is "
            f"{MAX_UNPACKED_BYTES // MB} MB. Export the schedule as CSV."
        )
    if len(names) < len(members):  # one name twice: how some ZIP bombs multiply
        raise FileProblem(DAMAGED)
    end = 0
    for member in sorted(members, key=lambda m: m.header_offset):
        # Entries sharing bytes (another way to multiply) or compressed in exotic ways.
        if member.header_offset < end or member.compress_type not in (0, 8):
            raise FileProblem(DAMAGED)
        if member.flag_bits & 0x1:
            raise FileProblem(
                "This workbook is encrypted. Save it without a password, or export the "
                "schedule as CSV."
            )
        end = member.header_offset + 30 + member.compress_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM and ratio > MAX_RATIO:
            raise FileProblem(
                f"The part {member.filename[:80]} of the workbook unpacks to {ratio:,.0f} "
                f"times its packed size; the limit is {MAX_RATIO} times. Export the schedule "
                "as CSV."
            )


def read_xlsx(data: bytes) -> Table:
    """Read the first sheet that has values (see the module's docstring)."""
    command = [sys.executable, "-I", "-c", _CHILD.format(__name__), _ROOT]
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and code
            command, input=data, capture_output=True, timeout=PARSE_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise FileProblem(
            f"Reading the workbook took longer than {PARSE_SECONDS} seconds, the limit. "
            "Export only the schedule's columns and rows as CSV."
        ) from None
    kind, payload = done.stdout[:1], done.stdout[1:]
    if done.returncode == 0 and kind == b"T":
        return Table.loads(payload)
    if done.returncode == 0 and kind == b"P":
        raise FileProblem(payload.decode())
    if done.returncode in (_NO_MEMORY, -signal.SIGABRT):
        raise FileProblem(
            f"Reading the workbook needs more than {PARSE_MEMORY // MB:,} MB of memory, the "
            "limit. Its cells may be spread over a huge area of the sheet: delete what is not "
            "part of the schedule, or export the schedule as CSV."
        )
    last = done.stderr.strip().splitlines()[-1:] or [b""]
    logger.warning("workbook reader exited with %s: %s", done.returncode, last[0][:200])
    raise FileProblem(DAMAGED)


def child_main() -> None:
    """The child process: the workbook on stdin; the table (``T``) or problem (``P``) out."""
    for limit, value in (
        (resource.RLIMIT_AS, PARSE_MEMORY),
        (resource.RLIMIT_CPU, PARSE_SECONDS + 1),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    try:
        out = b"T" + read_workbook(sys.stdin.buffer.read()).dumps()
    except FileProblem as problem:
        out = b"P" + str(problem).encode()
    except MemoryError:
        os._exit(_NO_MEMORY)
    sys.stdout.buffer.write(out)


def read_workbook(data: bytes) -> Table:
    """Check the package, then read its first worksheet with values with calamine (this runs
    in the child process)."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    check_package(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            date1904 = _attribute(archive, "xl/workbook.xml", "workbookPr", "date1904")
            strings = _attribute(archive, "xl/sharedStrings.xml", "sst", "uniqueCount")
        if int(strings or 0) > MAX_SHARED_STRINGS:
            raise FileProblem(
                f"The workbook declares {int(strings):,} different texts; the limit is "
                f"{MAX_SHARED_STRINGS:,}. Export the schedule as CSV."
            )
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for index, sheet in enumerate(book.sheets_metadata):
            if sheet.typ != SheetTypeEnum.WorkSheet:
                continue
            records = _records(book.get_sheet_by_index(index))
            if records.rows:
                notes = [SERIAL_1904_NOTE] if date1904.lower() in ("1", "true") else []
                name = neutralise_bidi(sheet.name)[:100]
                return build_table("xlsx", records, sheet=name, notes=notes)
    except (CalamineError, ParseError, zipfile.BadZipFile, ValueError):  # ValueError: defusedxml
        raise FileProblem(DAMAGED) from None
    raise FileProblem("The workbook has no sheet with any values.")


def _attribute(archive: zipfile.ZipFile, part: str, tag: str, name: str) -> str:
    """Attribute ``name`` of the first ``tag`` element in ``part`` ("" if there is none)."""
    if part not in archive.namelist():
        return ""
    with archive.open(part) as stream:
        for _event, element in iterparse(stream, events=("start",), forbid_dtd=True):
            if element.tag.rpartition("}")[2] == tag:
                return element.get(name, "")
    return ""


def _records(sheet: Any) -> Records:
    """The sheet's rows, numbered as in Excel, cells placed in their own columns."""
    records = Records()
    if sheet.start is None:
        return records
    height, width = sheet.height, sheet.width
    if height * width > MAX_CELLS:
        raise FileProblem(
            f"The sheet “{neutralise_bidi(sheet.name)[:100]}” spans {height:,} rows and "
            f"{width:,} columns ({height * width:,} cells); the limit is {MAX_CELLS:,} cells. "
            "Delete what is not part of the schedule, or export the schedule as CSV."
        )
    top, left = sheet.start
    for offset, values in enumerate(sheet.to_python()):  # from the top-left cell with a value
        cells = [cell_text(value) for value in values[: max(0, MAX_COLUMNS - left)]]
        records.add(top + offset + 1, [""] * left + cells)
    return records


_TEXT: dict[type, Callable[[Any], str]] = {
    bool: lambda v: "TRUE" if v else "FALSE",
    datetime: lambda v: v.date().isoformat(),
    date: date.isoformat,
    time: lambda v: v.isoformat(timespec="minutes"),
    float: lambda v: str(int(v)) if v.is_integer() else repr(v),
}


def cell_text(value: Any) -> str:
    """A cell's value as the text the schedule parser reads (dates in ISO form)."""
    return value if type(value) is str else _TEXT.get(type(value), str)(value)
