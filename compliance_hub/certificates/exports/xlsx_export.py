"""The table as an XLSX workbook, streamed as it is written.

An XLSX file is a ZIP of XML parts. The small parts (content types, relationships, styles,
document properties) are fixed; the worksheet is generated row by row and DEFLATE-compressed
as it goes (``ZipWriter.add_deflated``), so the first bytes leave at once and memory does
not grow with the number of rows. The workbook part comes after the worksheet because its
autofilter range needs the final row count (the order of parts in the ZIP does not matter
to spreadsheet programs).

Cells: dates are real date cells (serial numbers with a ``yyyy-mm-dd`` format), ``Issued
at`` a date-time cell (UTC, to the second); every text is an inline string, never a
formula, and neutralised like the CSV's (``safe.neutralise``). The header row is bold and
frozen, with an autofilter; columns have widths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape

from django.utils import timezone

from compliance_hub.certificates.exports.rows import HEADERS, ExportRow
from compliance_hub.certificates.exports.safe import neutralise
from compliance_hub.certificates.exports.zipstream import ZipWriter

SHEET = "Certificates"
WIDTHS = (28, 13, 13, 40, 17, 14, 20, 24, 60)
COLUMNS = "ABCDEFGHI"
MAX_ROWS = 1_048_575  # Excel's limit, below the header
CHUNK = 64 * 1024

_EPOCH = date(1899, 12, 30)  # Excel's day 0 (1900 date system, with its leap-year quirk)
_BOLD, _DAY, _MOMENT = 1, 2, 3  # cellXfs indexes in styles.xml
# Characters XML 1.0 cannot carry, and Excel's own _xHHHH_ escapes (a literal "_x000D_" in
# a name must stay text, so its underscore is escaped as _x005F_).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ENTITIES = {"\r": "&#13;", "\t": "&#9;", "\n": "&#10;"}
_NEEDS_WORK = re.compile("[<>&\r\t\n_\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
APP = (
    _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Compliance Hub</Application></Properties>'
)
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class TooManyRows(ValueError):
    """More rows than one Excel worksheet holds."""


def text(value: str) -> str:
    """``value`` as the XML text of a cell: escaped, every character kept as typed."""
    if _NEEDS_WORK.search(value) is None:  # most values: nothing to do
        return value
    value = _EXCEL_ESCAPE.sub(r"_x005F_\1", _NOT_XML.sub("\ufffd", value))
    value = escape(value)
    if "\r" in value or "\t" in value or "\n" in value:
        value = "".join(_ENTITIES.get(ch, ch) for ch in value)
    return value


def serial(value: date | datetime) -> str:
    """Excel's serial number of a date (whole days) or a naive date-time (to the second)."""
    if isinstance(value, datetime):
        days = (value.date() - _EPOCH).days
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return repr(days + seconds / 86400)
    return str((value - _EPOCH).days)


def _string(ref: str, value: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">{text(value)}</t></is></c>'
    )


def _row(number: int, row: ExportRow) -> str:
    r = str(number)
    cells = [
        _string("A" + r, neutralise(row.contractor)),
        f'<c r="B{r}" s="{_DAY}"><v>{serial(row.effective)}</v></c>',
        f'<c r="C{r}" s="{_DAY}"><v>{serial(row.end)}</v></c>',
        _string("D" + r, neutralise(row.description)),
        _string("E" + r, neutralise(row.number)),
        _string("F" + r, row.status),
    ]
    if row.issued_at is not None:
        cells.append(f'<c r="G{r}" s="{_MOMENT}"><v>{serial(row.issued_at)}</v></c>')
    cells.append(_string("H" + r, row.sha256))
    cells.append(_string("I" + r, row.link))
    return f'<row r="{r}">{"".join(cells)}</row>'


def _sheet(rows: Iterable[ExportRow], counted: list[int]) -> Iterator[bytes]:
    """The worksheet XML in chunks of about ``CHUNK``; the number of data rows in ``counted``."""
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(WIDTHS, start=1)
    )
    header = "".join(_string(f"{COLUMNS[i]}1", title, _BOLD) for i, title in enumerate(HEADERS))
    parts = [
        _XML,
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{columns}</cols><sheetData>",
        f'<row r="1">{header}</row>',
    ]
    size = 0
    count = 0
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise TooManyRows(f"An Excel worksheet holds at most {MAX_ROWS:,} rows.")
        line = _row(count + 1, row)
        parts.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts.clear()
            size = 0
    counted.append(count)
    parts.append("</sheetData>")
    parts.append(f'<autoFilter ref="A1:{COLUMNS[-1]}{count + 1}"/>')
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    )
    yield "".join(parts).encode("utf-8")


def _workbook(rows: int) -> str:
    return (
        _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        "<bookViews><workbookView/></bookViews>"
        f'<sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{SHEET}!$A$1:${COLUMNS[-1]}${rows + 1}</definedName></definedNames>"
        "</workbook>"
    )


def _core(title: str, subject: str, moment: datetime) -> str:
    stamp = f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    return (
        _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{text(title)}</dc:title><dc:subject>{text(subject)}</dc:subject>"
        "<dc:creator>Compliance Hub</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def stream_xlsx(
    rows: Iterable[ExportRow], *, moment: datetime, title: str = "", subject: str = ""
) -> Iterator[bytes]:
    """The workbook's bytes, produced as ``rows`` are read. ``moment`` (aware) dates it."""
    writer = ZipWriter(timezone.localtime(moment))
    try:
        yield writer.add_bytes("[Content_Types].xml", CONTENT_TYPES.encode())
        yield writer.add_bytes("_rels/.rels", PACKAGE_RELS.encode())
        yield writer.add_bytes("docProps/app.xml", APP.encode())
        yield writer.add_bytes("docProps/core.xml", _core(title, subject, moment).encode())
        yield writer.add_bytes("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode())
        yield writer.add_bytes("xl/styles.xml", STYLES.encode())
        counted: list[int] = []
        yield from writer.add_deflated("xl/worksheets/sheet1.xml", _sheet(rows, counted))
        yield writer.add_bytes("xl/workbook.xml", _workbook(counted[0]).encode())
        yield from writer.finish()
    finally:
        writer.close()
