"""Spreadsheet formula injection: text that a spreadsheet would run as a formula is defused.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
taken for a formula by Excel, LibreOffice or Google Sheets (``=HYPERLINK(...)``,
``@SUM(...)``, ``-2+3``). Such text is prefixed with an apostrophe, which spreadsheets show
as plain text and people read past; every other value is left exactly as it is. Used for
every text cell of the CSV, XLSX and the bulk ZIP's index.csv.
"""

from __future__ import annotations

FORMULA_TRIGGERS = frozenset("=+-@\t\r")


def neutralise(value: str) -> str:
    """``value`` with an apostrophe in front if a spreadsheet could read it as a formula."""
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value
