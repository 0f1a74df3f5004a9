"""File names inside the bulk ZIP and of the downloaded exports: readable, ASCII, unique."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

_NOT_ASCII_WORD = re.compile(r"[^A-Za-z0-9]+")
_NOT_WORD = re.compile(r"[^\w]+")
_SPECIAL = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "'": "", "\u2019": ""}
)
_PART_MAX = 60


@lru_cache(maxsize=4096)  # contractors recur across rows; bounded memory
def slug(text: str, fallback: str) -> str:
    """``"Zoë O'Neil"`` -> ``"Zoe-ONeil"``: case kept, accents and punctuation gone.

    A name with no Latin letters keeps its own letters (``"王-芳"``); an empty one becomes
    ``fallback``. At most 60 characters.
    """
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_SPECIAL))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    result = _NOT_ASCII_WORD.sub("-", plain).strip("-")
    if not result:
        result = _NOT_WORD.sub("-", unicodedata.normalize("NFC", text or "")).strip("-_")
    return result[:_PART_MAX].strip("-") or fallback


def certificate_member(
    first_name: str, last_name: str, effective: date, end: date, number: str
) -> str:
    """``Garcia-Jose_2026-03-01_2026-03-14_CH-7K3M-9QXP.pdf``: last name first, as sorted."""
    person = slug(f"{last_name} {first_name}", "contractor")
    return f"{person}_{effective.isoformat()}_{end.isoformat()}_{slug(number, 'certificate')}.pdf"


class UniqueNames:
    """Hands out each name once; a repeat (compared without case, as Windows and macOS
    do) gets ``-2``, ``-3``... before its extension.

    Names carry the certificate number, which is unique, so repeats do not happen in
    practice; this is the guarantee, at about 100 bytes per name.
    """

    def __init__(self) -> None:
        self._used: set[str] = set()

    def claim(self, name: str) -> str:
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        candidate, n = name, 1
        while candidate.casefold() in self._used:
            n += 1
            candidate = f"{stem}-{n}{dot}{extension}"
        self._used.add(candidate.casefold())
        return candidate


def export_filename(facility_name: str, what: str, moment: datetime, extension: str) -> str:
    """``Riverside-Care-Home_certificates_2026-03-04.zip`` (ASCII, safe in any header)."""
    place = slug(facility_name, "facility")
    if not place.isascii():
        place = "facility"
    return f"{place}_{what}_{moment:%Y-%m-%d}.{extension}"


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value for an ASCII ``filename`` made by ``export_filename``."""
    return f'attachment; filename="{filename}"'
