"""Text from outside the hub that could make a name read as something it is not.

Bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) reorder what a
reader sees: "Smith\u202eFDP.exe" shows as "Smithexe.PDF". Names and descriptions must never
carry them onto a page, certificate, export or e-mail. Input that people type or partners
send is refused (``has_bidi_controls``); text read from uploaded files is neutralised
(``neutralise_bidi``).

Spreadsheet cells the hub writes (exports, audit reports, the activity log) are never a
formula (``spreadsheet_cell``): text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, or the full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20 that spreadsheets
may read as their ASCII twins (``=HYPERLINK(...)``, ``@SUM(...)``), gets an apostrophe in
front, which spreadsheets show as plain text and people read past.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the invisible marks
# that steer them (LRM, RLM, ALM).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def has_bidi_controls(text: str) -> bool:
    """Whether ``text`` holds any bidirectional control character."""
    return not BIDI_CONTROLS.isdisjoint(text)


BIDI_MESSAGE = (
    "Remove the invisible text-direction characters (such as U+202E): "
    "they can make text read as something it is not."
)


def refuse_bidi(value: str) -> None:
    """Model and form field validator: text with bidirectional controls is not stored."""
    if has_bidi_controls(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi")


def neutralise_bidi(text: str) -> str:
    """``text`` without its bidirectional control characters."""
    return text.translate(_REMOVE) if has_bidi_controls(text) else text


FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def spreadsheet_cell(value: str) -> str:
    """``value`` for a spreadsheet cell: bidi controls removed first (so none can hide in
    front of a trigger), then an apostrophe in front if it could be read as a formula."""
    value = neutralise_bidi(value)
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value
