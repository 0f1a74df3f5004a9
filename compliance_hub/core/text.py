"""Text from outside the hub that could make a name read as something it is not.

Bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) reorder what a
reader sees: "Smith\u202eFDP.exe" shows as "Smithexe.PDF". Names and descriptions must never
carry them onto a page, certificate, export or e-mail. Input that people type or partners
send is refused (``has_bidi_controls``); text read from uploaded files is neutralised
(``neutralise_bidi``).
"""

from __future__ import annotations

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the invisible marks
# that steer them (LRM, RLM, ALM).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def has_bidi_controls(text: str) -> bool:
    """Whether ``text`` holds any bidirectional control character."""
    return not BIDI_CONTROLS.isdisjoint(text)


def neutralise_bidi(text: str) -> str:
    """``text`` without its bidirectional control characters."""
    return text.translate(_REMOVE) if has_bidi_controls(text) else text
