"""Name normalisation shared by search, sorting and payment matching."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """Lower-case ``text``, strip accents and punctuation: ``"Zoë  O'Neil"`` -> ``"zoe oneil"``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ß", "ss").replace("đ", "d").replace("Đ", "D")
    stripped = stripped.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    return _SPACE.sub(" ", _NOT_WORD.sub("", stripped.casefold())).strip()


def search_key(full_name: str) -> str:
    """The key contractor search runs on: folded ``first last``."""
    return fold(full_name)


def sort_key(first_name: str, last_name: str) -> str:
    """The key the table sorts names by: folded ``last first``."""
    return fold(f"{last_name} {first_name}")
