"""Crafted uploads are refused with a message naming the limit, in a few seconds and bounded
memory: ZIP bombs, unclosed or oversized XML, huge declared counts, cells spread over the
whole sheet, endless CSV rows. Each parse runs in a forked process with a time limit, so
that a regression fails here instead of hanging the suite."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.audits.parsing import limits, xlsx
from compliance_hub.audits.parsing.files import read_schedule
from compliance_hub.audits.parsing.table import FileProblem
from tests.audits.helpers import MAIN, package, workbook_parts
from tests.audits.isolated import values, within

DAMAGED = (
    "This workbook could not be read (it may be damaged). Open it in Excel and save it "
    "again, or export the schedule as CSV."
)


def refused(data: bytes) -> str:
    kind, message = within(read_schedule, data)
    assert kind == "problem", (kind, message)
    return message


def sheet(body: str | bytes, shared: str | None = None) -> bytes:
    return package(workbook_parts(body, shared, prefix=""))


# --- patterns that made the regex reader super-linear --------------------------------------


def fill(head: str, unit: str, tail: str = "") -> str:
    """``unit`` repeated between ``head`` and ``tail`` to just under the size from which the
    compression ratio is checked: these reach the XML reader itself."""
    return (
        head + unit * ((limits.RATIO_CHECKED_FROM - 1_000 - len(head + tail)) // len(unit)) + tail
    )


NO_VALUES = "The workbook has no sheet with any values."


@pytest.mark.parametrize(
    ("body", "shared", "outcome"),
    [
        (fill('<row r="1">', '<c r="A1" t="s"', "</row>"), None, DAMAGED),  # unclosed <c
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', fill("", "<si><t>x"), DAMAGED),
        (fill("", "<row>"), None, NO_VALUES),  # unclosed <row>
        (fill('<row r="1"><c r="A1" t="inlineStr"><is>', "<t>", "</is></c></row>"), None, DAMAGED),
        (fill('<row r="1"><c r="A1" ', "a", "><v>1</v></c></row>"), None, DAMAGED),  # attribute
        (fill("<row><c><v>1</v></c>", "<p:c ", "</row>"), None, DAMAGED),  # prefixed tags
    ],
    ids=["cell", "shared-string", "row", "text", "attribute", "prefixes"],
)
def test_unclosed_and_oversized_xml_is_refused_quickly(body, shared, outcome):
    assert refused(sheet(body, shared)) == outcome


def test_many_namespace_declarations_and_long_prefixes_are_read_quickly():
    declarations = " ".join(f'xmlns:p{i}="urn:{i}"' for i in range(20_000))
    prefix = "q" * 50_000
    body = (
        f'<row r="1" {declarations}><c r="A1" t="inlineStr"><is><t>Payee</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Date</t></is></c></row>'
        f'<row r="2" xmlns:{prefix}="urn:q"><{prefix}:c r="A2"/><c r="A2" t="inlineStr">'
        '<is><t>Jane Doe</t></is></c><c r="B2"><v>46086</v></c></row>'
    )
    assert within(read_schedule, sheet(body)) == ("table", 1)


# --- ZIP bombs and damaged packages (decided from the central directory) --------------------


def test_a_sheet_of_one_tag_repeated_is_refused_by_its_compression_ratio():
    data = sheet(b"<x/>" * 25_000_000)  # 100 MB of XML
    assert len(data) < 200_000
    message = refused(data)
    assert re.fullmatch(
        r"The part xl/worksheets/sheet1\.xml of the workbook unpacks to [\d,]+ times its "
        r"packed size; the limit is 100 times\. Export the schedule as CSV\.",
        message,
    ), message


def test_a_workbook_unpacking_to_too_much_is_refused_with_both_sizes():
    parts = workbook_parts('<row r="1"><c r="A1"><v>1</v></c></row>')
    for i in range(210):  # each part under the ratio check's floor, together 210 MB
        parts[f"xl/media/pad{i}.bin"] = bytes(limits.RATIO_CHECKED_FROM - 1)
    message = refused(package(parts))
    assert message == (
        "The workbook unpacks to 210 MB; the limit is 200 MB. Export the schedule as CSV."
    )


def test_a_workbook_of_too_many_parts_is_refused_with_the_count():
    parts = workbook_parts('<row r="1"><c r="A1"><v>1</v></c></row>')
    parts.update({f"xl/media/{i}.bin": b"" for i in range(5_000)})
    assert refused(package(parts, zipfile.ZIP_STORED)) == (
        f"The workbook holds {5_000 + len(workbook_parts('')):,} parts; the limit is 1,000. "
        "Export the schedule as CSV."
    )


def test_fifty_thousand_tiny_parts_are_counted_quickly():
    out = package({f"{i}": b"" for i in range(50_000)}, zipfile.ZIP_STORED)
    assert refused(out).startswith("The workbook holds 50,000 parts; the limit is 1,000.")


def _central_entries(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"PK\x01\x02", data)]


def test_a_part_listed_twice_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        for name, data in workbook_parts('<row r="1"><c r="A1"><v>1</v></c></row>').items():
            archive.writestr(name, data)
        archive.writestr("xl/worksheets/sheet1.xml", b"<other/>")
    assert refused(out.getvalue()) == DAMAGED


def test_overlapping_parts_are_refused():
    # The quoted-overlap bomb: a second directory entry points at the first entry's bytes.
    data = bytearray(sheet('<row r="1"><c r="A1"><v>1</v></c></row>'))
    entries = _central_entries(bytes(data))
    first, last = entries[0], entries[-1]
    struct.pack_into("<I", data, last + 42, struct.unpack_from("<I", data, first + 42)[0])
    assert refused(bytes(data)) == DAMAGED


@pytest.mark.parametrize("cut", [22, 40, 200])
def test_a_damaged_central_directory_is_refused(cut):
    data = sheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    assert refused(data[:-cut]).startswith("This file starts like an XLSX workbook but is damaged")


def test_exotic_compression_and_encryption_are_refused():
    data = bytearray(sheet('<row r="1"><c r="A1"><v>1</v></c></row>'))
    entry = _central_entries(bytes(data))[0]
    bzip2 = bytearray(data)
    struct.pack_into("<H", bzip2, entry + 10, 12)
    assert refused(bytes(bzip2)) == DAMAGED
    struct.pack_into("<H", data, entry + 8, struct.unpack_from("<H", data, entry + 8)[0] | 1)
    assert refused(bytes(data)) == (
        "This workbook is encrypted. Save it without a password, or export the schedule as CSV."
    )


# --- what the native reader would choke on (refused in its own process) ---------------------


def test_a_huge_declared_number_of_texts_is_refused():
    shared = "<si><t>Payee</t></si>"
    data = package(
        {
            **workbook_parts('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
            "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" '
            f'count="1" uniqueCount="4000000000">{shared}</sst>'.encode(),
        }
    )
    assert refused(data) == (
        "The workbook declares 4,000,000,000 different texts; the limit is 1,000,000. "
        "Export the schedule as CSV."
    )


def test_two_cells_at_opposite_corners_of_the_sheet_are_refused():
    # calamine lays the area out in memory: 17 billion cells. The reader's process runs out
    # of its memory limit (and aborts), the web worker does not.
    data = sheet(
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    assert refused(data) == (
        "Reading the workbook needs more than 1,024 MB of memory, the limit. Its cells may be "
        "spread over a huge area of the sheet: delete what is not part of the schedule, or "
        "export the schedule as CSV."
    )


def test_a_sheet_area_over_the_cell_limit_is_refused_with_its_size():
    data = sheet(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="Z100000"><v>1</v></c></row>'
    )
    assert refused(data) == (
        "The sheet “Data” spans 100,000 rows and 26 columns (2,600,000 cells); the limit is "
        "2,000,000 cells. Delete what is not part of the schedule, or export the schedule as CSV."
    )


def test_a_cell_longer_than_excel_allows_is_refused():
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Payee</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Date</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>'
    )
    assert refused(sheet(body)) == "Row 2 has a cell of 40,000 characters; the limit is 32,767."


def test_a_slow_workbook_is_stopped_at_the_time_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "PARSE_SECONDS", 0.001)  # in this process: no ``within``
    with pytest.raises(FileProblem) as refusal:
        read_schedule(sheet('<row r="1"><c r="A1"><v>1</v></c></row>'))
    assert str(refusal.value) == (
        "Reading the workbook took longer than 0.001 seconds, the limit. Export only the "
        "schedule's columns and rows as CSV."
    )


# --- CSV: one pass, rows and cells bounded ---------------------------------------------------


def test_an_endless_csv_row_is_refused_in_bounded_memory():
    message = refused(b"ab," * 6_000_000)  # 18 MB, one row of six million cells
    assert message == (
        "Row 1 is longer than 1,000,000 characters, the limit. A quote may be left open; "
        "check that row."
    )


def test_quoted_cells_spanning_lines_cannot_make_an_endless_row():
    message = refused(b'Payee,Date\n"a","b' + b'\n","x' * 3_000_000)
    assert message.startswith("Row 2 is longer than 1,000,000 characters, the limit.")


def test_a_csv_with_too_many_cells_is_refused():
    line = ",".join(["x"] * 60) + "\n"
    message = refused(line.encode() * 40_000)  # 2,400,000 cells
    assert message == (
        "The file has more than 2,000,000 cells by row 33,334; the limit is 2,000,000 cells. "
        "Export only the schedule's columns and rows."
    )


def test_a_csv_cell_longer_than_excel_allows_is_refused():
    data = b"Payee,Date\n" + b"x" * 40_000 + b",2026-03-05\n"
    assert refused(data) == "Row 2 has a cell of 40,000 characters; the limit is 32,767."


# --- many generated cases ---------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "<c",
        '<c r="A1"',
        "<row",
        "<row>",
        "</row>",
        "<si>",
        "<t>",
        "</t>",
        "<v>1</v>",
        "<x:c ",
        "<p:q:r:",
        ' r="',
        '="',
        ">",
        "/>",
        "<is>",
        "&amp;",
        "&#x202E;",
        "<!--",
        "<![CDATA[",
        "a",
        " ",
    ]
)
HOSTILE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HOSTILE
@given(
    pieces=st.lists(FRAGMENTS, min_size=1, max_size=8),
    repeat=st.integers(min_value=1_000, max_value=200_000),
    shared=st.booleans(),
)
def test_any_repeated_xml_pattern_is_read_or_refused_quickly(pieces, repeat, shared):
    pattern = "".join(pieces)
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>Payee</t></is></c>' + pattern * repeat
    data = sheet(body, pattern * repeat if shared else None)
    kind, _value = within(read_schedule, data)
    assert kind in ("table", "problem")


@HOSTILE
@given(
    pieces=st.lists(
        st.sampled_from(['"', ",", ";", "\t", "\n", "\r", "a", " ", '""', "\u202e", "é"]),
        min_size=1,
        max_size=8,
    ),
    repeat=st.integers(min_value=1_000, max_value=2_000_000),
)
def test_any_repeated_csv_pattern_is_read_or_refused_quickly(pieces, repeat):
    data = ("Payee,Date\n" + "".join(pieces) * repeat).encode()[: limits.MAX_BYTES]
    kind, _value = within(read_schedule, data)
    assert kind in ("table", "problem")


@HOSTILE
@given(
    pieces=st.lists(
        st.sampled_from(
            ["1", "12", "2026", "-", "/", ".", ",", " ", "a", "mar", "th", "$", "(", ")", "'"]
        ),
        min_size=1,
        max_size=6,
    ),
    repeat=st.integers(min_value=1, max_value=limits.MAX_CELL_CHARS // 6),
)
def test_dates_and_amounts_are_read_in_linear_time(pieces, repeat):
    body = "".join(pieces) * repeat
    texts = [body, f"5 {body}", f"{body}x", f"Mar 5, {body}", f"1{body}!", f"$1,{body}"]
    assert within(values, [t[: limits.MAX_CELL_CHARS] for t in texts], seconds=4) == (
        "value",
        len(texts),
    )
