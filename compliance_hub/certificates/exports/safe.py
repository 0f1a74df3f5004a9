"""Spreadsheet cells written by PostgreSQL's COPY: ``core.text.spreadsheet_cell`` in SQL."""

from __future__ import annotations

from compliance_hub.core.text import BIDI_CONTROLS, FORMULA_TRIGGERS


def sql_neutralise(column: str) -> str:
    """``core.text.spreadsheet_cell`` as a PostgreSQL expression over the SQL expression ``column``.

    Only ``column`` and fixed code points appear in the text: no parameters. ``translate``
    is costly, so it runs only on the (rare) values a regular expression finds a control in.
    """
    found = "".join(f"\\u{ord(ch):04x}" for ch in sorted(BIDI_CONTROLS))
    removed = "".join(f"\\{ord(ch):04X}" for ch in sorted(BIDI_CONTROLS))
    triggers = ", ".join(f"chr({ord(ch)})" for ch in sorted(FORMULA_TRIGGERS))

    def defused(text: str) -> str:
        return f"CASE WHEN left({text}, 1) IN ({triggers}) THEN '''' || {text} ELSE {text} END"

    translated = f"translate({column}, U&'{removed}', '')"
    return f"CASE WHEN {column} ~ '[{found}]' THEN {defused(translated)} ELSE {defused(column)} END"
