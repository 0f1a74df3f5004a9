"""CSV files: which encoding, which delimiter, then the records."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from compliance_hub.audits.parsing.limits import MAX_RECORD_CHARS
from compliance_hub.audits.parsing.table import FileProblem, Records, Table, build_table

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAMPLE_LINES = 50
_SAMPLE_CHARS = 64 * 1024


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` if the NULs fall on one side of each pair, like UTF-16 text."""
    pairs = len(sample) // 2
    if pairs == 0:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd > pairs * 0.3 and even < pairs * 0.05:
        return "utf-16-le"
    if even > pairs * 0.3 and odd < pairs * 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` as text; return (text, encoding name).

    UTF-8 (with or without BOM) and UTF-16 (Excel's "Unicode text", with BOM or without)
    are recognised; other bytes are read as Windows-1252, then Latin-1.
    """
    offset = 0
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8", "UTF-8 (with BOM)")]
        offset = 3
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", "UTF-16")]
    elif b"\x00" in data[:4096]:
        guess = _utf16_without_bom(data[:4096])
        if guess is None:
            raise FileProblem(
                "This file is neither text nor an Excel workbook (it contains binary data). "
                "Upload the schedule as CSV or XLSX."
            )
        candidates = [(guess, "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1")]
    for index, (codec, label) in enumerate(candidates):
        try:
            text = data[offset:].decode(codec)
        except UnicodeDecodeError as exc:
            if index + 1 < len(candidates):
                continue
            line = _line_of(data, exc.start + offset)
            raise FileProblem(
                f"Row {line}: the file says it is {label} but has bytes that are not valid "
                f"{label}. Save it again as “CSV UTF-8” or as XLSX."
            ) from None
        _check_text(text, label)
        return text, label
    raise FileProblem("The file could not be read as text.")  # pragma: no cover


def _check_text(text: str, label: str) -> None:
    """Refuse text with control characters: a binary file or a wrong encoding."""
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise FileProblem(
            f"Row {line}: the file contains characters that are not text when read as "
            f"{label} (code {ord(bad.group()):#04x}). It may be a binary file or use an "
            "encoding the hub cannot read; save it as “CSV UTF-8” or as XLSX."
        )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent columns."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        sample = sample[: sample.rfind("\n") + 1] or sample  # whole lines only
    lines = [line for line in sample.splitlines() if line.strip()][:_SAMPLE_LINES]
    best, best_score = ",", (0, 0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        if common < 2:
            continue
        score = (widths.count(common), common, -DELIMITERS.index(delimiter))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes) -> Table:
    """Read a delimited text file into a :class:`Table`, in one pass with bounded memory.

    Rows are numbered as a spreadsheet shows them (a quoted cell may span several lines).
    """
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    records = Records()
    line = 0
    size = 0  # characters of the row being read, over all its lines

    def lines() -> Iterator[str]:
        nonlocal size
        for physical in io.StringIO(text, newline=""):
            size += len(physical)
            if size > MAX_RECORD_CHARS:
                raise FileProblem(
                    f"Row {line + 1} is longer than {MAX_RECORD_CHARS:,} characters, the limit. "
                    "A quote may be left open; check that row."
                )
            yield physical

    try:
        for line, cells in enumerate(csv.reader(lines(), delimiter=delimiter, strict=True), 1):
            size = 0
            records.add(line, cells)
    except csv.Error as exc:
        raise FileProblem(
            f"Row {line + 1}: the file could not be read as CSV ({exc}). A quote may be "
            "left open; check that row."
        ) from None
    return build_table("csv", records, encoding=encoding, delimiter=delimiter)
