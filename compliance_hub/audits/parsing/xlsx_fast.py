"""A fast reader for the cell values of an XLSX sheet (about 15 times openpyxl's speed).

It reads only what a payment schedule needs — the first sheet with values, shared and inline
strings, numbers, booleans, dates (by the cell's number format) and saved formula results —
with regular expressions over the sheet XML, streamed in chunks. Anything unexpected raises
:class:`Unsupported` and the caller falls back to openpyxl.
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from posixpath import join, normpath

from compliance_hub.audits.parsing.table import MAX_COLUMNS

_P = r"(?:[\w.-]+:)?"  # an optional namespace prefix, as some generators write (x:c)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_SHEET = re.compile(rf"<{_P}sheet\b([^>]*)/?>")
_REL = re.compile(rf"<{_P}Relationship\b([^>]*)/?>")
_WORKBOOK_PR = re.compile(rf"<{_P}workbookPr\b([^>]*)/?>")
_SI = re.compile(rf"<{_P}si\b[^>]*?(?:/>|>(.*?)</{_P}si>)", re.S)
_RPH = re.compile(rf"<{_P}rPh\b.*?</{_P}rPh>", re.S)
_T = re.compile(rf"<{_P}t\b[^>]*?(?:/>|>(.*?)</{_P}t>)", re.S)
_NUMFMT = re.compile(rf"<{_P}numFmt\b([^>]*)/?>")
_CELLXFS = re.compile(rf"<{_P}cellXfs\b[^>]*>(.*?)</{_P}cellXfs>", re.S)
_XF = re.compile(rf"<{_P}xf\b([^>]*?)(?:/>|>)")
_ROW = re.compile(rf"<{_P}row\b([^>]*?)(?:/>|>(.*?)</{_P}row>)", re.S)
_ROW_END = re.compile(rf"</{_P}row>")
_CELL = re.compile(rf"<{_P}c\b([^>]*?)(?:/>|>(.*?)</{_P}c>)", re.S)
_V = re.compile(rf"<{_P}v\b[^>]*?(?:/>|>(.*?)</{_P}v>)", re.S)
_F = re.compile(rf"<{_P}f\b[^>]*?(?:/>|>(.*?)</{_P}f>)", re.S)
_IS = re.compile(rf"<{_P}is\b[^>]*>(.*?)</{_P}is>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"\br\s*=\s*[\"']([A-Z]+)")
_ROW_REF = re.compile(r"\br\s*=\s*[\"'](\d+)")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
# Built-in number formats that show a date (not a bare time).
_DATE_FORMATS = {14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)}
_TIME_FORMATS = {18, 19, 20, 21, 45, 46, 47}
CHUNK = 4 * 1024 * 1024


class Unsupported(Exception):
    """The workbook uses something this reader does not handle."""


def _attrs(text: str) -> dict[str, str]:
    return {k.split(":")[-1]: html.unescape(v[1:-1]) for k, v in _ATTR.findall(text)}


def _text(xml: str) -> str:
    """Unescape XML text and Excel's ``_xHHHH_`` escapes."""
    value = html.unescape(xml) if "&" in xml else xml
    if "_x" in value:
        value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def _runs(xml: str) -> str:
    """The text of a string item: its ``<t>`` runs, without phonetic hints."""
    if "rPh" in xml:
        xml = _RPH.sub("", xml)
    return "".join(_text(t or "") for t in _T.findall(xml))


def _column(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _is_date_code(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    return any(ch in bare for ch in "dy")


class _Book:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        flag = _WORKBOOK_PR.search(workbook)
        date1904 = flag is not None and _attrs(flag.group(1)).get("date1904") in ("1", "true")
        self.epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = archive.read(rels_name).decode("utf-8") if rels_name in names else ""
        targets = {}
        for match in _REL.finditer(rels):
            attrs = _attrs(match.group(1))
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
            targets[attrs.get("Id", "")] = path
        self.sheets: list[tuple[str, str]] = []
        for match in _SHEET.finditer(workbook):
            attrs = _attrs(match.group(1))
            part = targets.get(attrs.get("id", ""))
            if part is None or part not in names:
                raise Unsupported("sheet without a part")
            self.sheets.append((attrs.get("name", ""), part))
        self.strings = self._strings(names)
        self.date_styles, self.time_styles = self._styles(names)

    def _strings(self, names: set[str]) -> list[str]:
        if "xl/sharedStrings.xml" not in names:
            return []
        xml = self.archive.read("xl/sharedStrings.xml").decode("utf-8")
        return [_runs(body or "") for body in _SI.findall(xml)]

    def _styles(self, names: set[str]) -> tuple[set[int], set[int]]:
        if "xl/styles.xml" not in names:
            return set(), set()
        xml = self.archive.read("xl/styles.xml").decode("utf-8")
        custom = {}
        for match in _NUMFMT.finditer(xml):
            attrs = _attrs(match.group(1))
            custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
        dates: set[int] = set()
        times: set[int] = set()
        block = _CELLXFS.search(xml)
        for index, match in enumerate(_XF.finditer(block.group(1) if block else "")):
            fmt = int(_attrs(match.group(1)).get("numFmtId", "0"))
            if fmt in _DATE_FORMATS or (fmt in custom and _is_date_code(custom[fmt])):
                dates.add(index)
            elif fmt in _TIME_FORMATS or (fmt in custom and _is_time_code(custom[fmt])):
                times.add(index)
        return dates, times

    def value(self, attrs: str, body: str | None) -> str:
        """The text of one cell."""
        if not body:
            return ""
        kind = style = ""
        for key, quoted in _ATTR.findall(attrs):
            if key == "t":
                kind = quoted[1:-1]
            elif key == "s":
                style = quoted[1:-1]
        if kind == "inlineStr":
            inline = _IS.search(body)
            return _runs(inline.group(1)) if inline else ""
        found = _V.search(body)
        raw = found.group(1) if found and found.group(1) is not None else None
        if raw is None:
            formula = _F.search(body)
            if formula is not None:
                return "=" + (_text(formula.group(1) or "") or "(shared formula)")
            return ""
        if kind == "s":
            return self.strings[int(raw)]
        if kind in ("str", "e"):
            return _text(raw)
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        if kind == "d":
            return raw[:10]
        number = float(raw)
        index = int(style) if style else 0
        if index in self.date_styles:
            return (self.epoch + timedelta(days=int(number))).isoformat()
        if index in self.time_styles:
            moment = datetime(2000, 1, 1) + timedelta(seconds=round((number % 1) * 86400))
            return moment.strftime("%H:%M")
        return str(int(number)) if number.is_integer() else repr(number)

    def rows(self, path: str) -> Iterator[tuple[int, list[str]]]:
        """(row number, cell texts) of the sheet at ``path``, streamed in chunks."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        last_row = 0
        with self.archive.open(path) as member:
            while True:
                chunk = member.read(CHUNK)
                pending += decoder.decode(chunk, final=not chunk)
                ends = list(_ROW_END.finditer(pending))
                cut = ends[-1].end() if ends and chunk else len(pending)
                complete, pending = pending[:cut], pending[cut:]
                for match in _ROW.finditer(complete):
                    ref = _ROW_REF.search(match.group(1))
                    line = int(ref.group(1)) if ref else last_row + 1
                    last_row = line
                    cells = self._cells(match.group(2) or "")
                    if cells:
                        yield line, cells
                if not chunk:
                    return

    def _cells(self, xml: str) -> list[str]:
        cells: list[str] = []
        column = -1
        for match in _CELL.finditer(xml):
            attrs = match.group(1)
            ref = _CELL_REF.search(attrs)
            column = _column(ref.group(1)) if ref else column + 1
            if column >= MAX_COLUMNS:
                continue
            text = self.value(attrs, match.group(2))
            if not text:
                continue
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = text
        return cells


def _is_time_code(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    return "h" in bare or "s" in bare


def open_book(archive: zipfile.ZipFile) -> _Book:
    try:
        return _Book(archive)
    except (KeyError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise Unsupported(str(exc)) from exc
