"""Recognise an upload by its content (not its name) and read it into a table."""

from __future__ import annotations

from compliance_hub.audits.parsing.limits import MAX_BYTES, MB
from compliance_hub.audits.parsing.table import FileProblem, Table
from compliance_hub.audits.parsing.text import read_csv
from compliance_hub.audits.parsing.xlsx import is_zip, read_xlsx

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_schedule(data: bytes) -> Table:
    """Read a CSV or XLSX payment schedule; raise :class:`FileProblem` with a human message."""
    if not data:
        raise FileProblem("The file is empty.")
    if len(data) > MAX_BYTES:
        raise FileProblem(
            f"The file is {len(data) / MB:.1f} MB; the limit is {MAX_BYTES // MB} MB."
        )
    if is_zip(data):
        return read_xlsx(data)
    if data.startswith(_OLE):
        raise FileProblem(
            "This is an old Excel 97-2003 (.xls) file or a password-protected workbook. "
            "Save it as XLSX (Excel Workbook) or CSV, without a password."
        )
    if data.startswith(b"%PDF"):
        raise FileProblem("This is a PDF. Upload the schedule of payments as CSV or XLSX.")
    return read_csv(data)
