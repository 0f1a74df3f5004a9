"""The bundled DejaVu Sans faces, parsed once per process and attached to each document.

fpdf2 parses a TrueType file in every ``add_font`` and subsets it with fontTools in every
document. Here each face is parsed once, and text is encoded with the font's own glyph ids
(``char_codes``), so what a document embeds depends only on the set of characters it uses.
``embedded_font`` builds those PDF font streams (subset font, widths, ToUnicode map) and
caches them by character set; the characters every certificate needs (``BASE_CHARS``) are
always included, so documents that differ only in ASCII text share one cached entry.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from compliance_hub.certificates.pdf.compact.sfnt import TrueTypeFont

FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
FAMILY = "dejavu"
# fpdf2 style -> bundled file.
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


@dataclass(frozen=True)
class Face:
    """One parsed face: fpdf2's metrics (prototype) and the raw font for subsetting."""

    fontkey: str
    prototype: TTFFont
    sfnt: TrueTypeFont
    char_widths: dict[str, int]  # character -> advance width in 1/1000 em (drawable only)
    char_codes: dict[str, str]  # character -> its glyph id as 4 hex digits (the PDF code)


_lock = threading.Lock()
_faces: dict[str, Face] = {}


def faces() -> dict[str, Face]:
    """All bundled faces by fpdf2 font key, loading them on first use (thread-safe)."""
    if _faces:
        return _faces
    with _lock:
        if not _faces:
            loaded: dict[str, Face] = {}
            scratch = FPDF()
            for style, filename in FILES.items():
                path = FONT_DIR / filename
                scratch.add_font(FAMILY, style, str(path))
                key = f"{FAMILY}{style}"
                prototype = scratch.fonts[key]
                assert isinstance(prototype, TTFFont)
                widths = {chr(cp): int(prototype.cw[cp]) for cp in prototype.glyph_ids}
                codes = {chr(cp): f"{gid:04X}" for cp, gid in prototype.glyph_ids.items()}
                sfnt = TrueTypeFont(path.read_bytes())
                loaded[key] = Face(key, prototype, sfnt, widths, codes)
            _faces.update(loaded)
    return _faces


def attach(pdf: FPDF) -> None:
    """Make the bundled faces available in ``pdf`` without parsing any font file."""
    for key, face in faces().items():
        font = copy.copy(face.prototype)
        font.i = len(pdf.fonts) + 1
        font.desc = copy.copy(face.prototype.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[key] = font


def face_for(font: TTFFont) -> Face:
    return faces()[font.fontkey]


# Printable ASCII and the punctuation the template uses: embedded in every document.
BASE_CHARS = frozenset(chr(cp) for cp in range(0x20, 0x7F)) | frozenset(
    "\u2013\u2014\u2026\u2018\u2019\u201c\u201d\u00b7\u2022"  # dashes, ellipsis, quotes, dots
)


@dataclass(frozen=True)
class EmbeddedFont:
    """The PDF streams for one face and character set (Flate-compressed where noted)."""

    base_font: str  # subset name, e.g. ABCDEF+DejaVuSans
    widths: str  # /W array, keyed by glyph id
    to_unicode: bytes  # compressed ToUnicode CMap
    cid_to_gid: bytes  # compressed CIDToGIDMap (original glyph id -> subset glyph id)
    font_file: bytes  # compressed TrueType subset
    font_file_length: int  # uncompressed length (/Length1)


def embedded_font(fontkey: str, chars: set[str]) -> EmbeddedFont:
    """The embedding of face ``fontkey`` for a document that uses ``chars`` (cached)."""
    face = faces()[fontkey]
    return _embedded(fontkey, frozenset(ch for ch in chars if ch in face.char_codes) - BASE_CHARS)


@lru_cache(maxsize=512)
def _embedded(fontkey: str, extra: frozenset[str]) -> EmbeddedFont:
    face = faces()[fontkey]
    chars = sorted((BASE_CHARS & face.char_codes.keys()) | extra)
    glyph_ids = face.prototype.glyph_ids
    char_for_gid: dict[int, str] = {}
    for ch in chars:  # sorted, so the lowest code point names a shared glyph
        char_for_gid.setdefault(glyph_ids[ord(ch)], ch)
    gids = sorted(char_for_gid)
    font_file, new_id = face.sfnt.subset(gids)
    cid_to_gid = bytearray(2 * (gids[-1] + 1))
    for gid in gids:
        cid_to_gid[2 * gid : 2 * gid + 2] = new_id[gid].to_bytes(2, "big")
    digest = hashlib.sha256(",".join(map(str, gids)).encode()).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    return EmbeddedFont(
        base_font=f"{tag}+{face.prototype.name}",
        widths=_widths_array([(gid, face.char_widths[char_for_gid[gid]]) for gid in gids]),
        to_unicode=zlib.compress(_to_unicode([(gid, char_for_gid[gid]) for gid in gids])),
        cid_to_gid=zlib.compress(bytes(cid_to_gid)),
        font_file=zlib.compress(font_file),
        font_file_length=len(font_file),
    )


def _widths_array(widths: list[tuple[int, int]]) -> str:
    """A PDF /W array from sorted (code, width) pairs: runs of consecutive codes."""
    parts: list[str] = []
    run: list[str] = []
    start = previous = -2
    for code, width in widths:
        if code != previous + 1 and run:
            parts.append(f"{start} [{' '.join(run)}]")
            run = []
        if not run:
            start = code
        run.append(str(width))
        previous = code
    if run:
        parts.append(f"{start} [{' '.join(run)}]")
    return f"[{' '.join(parts)}]"


_CMAP_HEAD = (
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
)
_CMAP_TAIL = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


def _to_unicode(entries: list[tuple[int, str]]) -> bytes:
    """A ToUnicode CMap: what text each code stands for (search, copy and paste)."""
    blocks: list[str] = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines = "".join(
            f"<{code:04X}> <{ch.encode('utf-16-be').hex().upper()}>\n" for code, ch in chunk
        )
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}endbfchar\n")
    return (_CMAP_HEAD + "".join(blocks) + _CMAP_TAIL).encode("ascii")
