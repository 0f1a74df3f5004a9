"""The fonts embedded in a certificate (pdf/compact/fonts.py, producer.py), read back with the
reference libraries: fontTools for the font files, pypdf for the PDF structures."""

import io
import re
from typing import Any

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from compliance_hub.certificates.pdf import render
from compliance_hub.certificates.pdf.compact import fonts
from tests.certificates.samples import document, flat, snapshot, text_of

NAMES = ["José Nguyễn", "Siobhán Ó Súilleabháin", "Łukasz Kowalczyk\u2013Żółć", "Zoë «Ørsted» ß"]


def embedded_fonts(data: bytes):
    """(Type0 font, its descendant, the font file's bytes) of each font on the page."""
    resources: Any = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]
    for ref in resources["/Font"].values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        font_file = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        yield font, descendant, font_file.get_data()


def to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
    blocks = re.findall(r"beginbfchar\n(.*?)endbfchar", cmap, re.DOTALL)
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for block in blocks
        for code, text in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", block)
    }


def widths(descendant) -> dict[int, int]:
    found: dict[int, int] = {}
    entries = list(descendant["/W"])
    for i in range(0, len(entries), 2):
        start, run = int(entries[i]), entries[i + 1]
        for offset, width in enumerate(run):
            found[start + offset] = int(width)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_drawn_character_is_the_original_fonts_glyph_with_its_width(name):
    data = render("coi-v1", document(snapshot(insured={"name": name})))
    assert name in flat(text_of(data))  # through the ToUnicode map
    seen = set()
    for font, descendant, font_file in embedded_fonts(data):
        style = "B" if "Bold" in str(font["/BaseFont"]) else ""
        original = TTFont(fonts.FONT_DIR / fonts.FILES[style])
        subset = TTFont(io.BytesIO(font_file))
        subset.save(io.BytesIO())  # fontTools reads and rewrites it
        cid_to_gid = descendant["/CIDToGIDMap"].get_object().get_data()  # decoded by pypdf
        cmap = original.getBestCmap()
        old_order, new_order = original.getGlyphOrder(), subset.getGlyphOrder()
        old_set, new_set = original.getGlyphSet(), subset.getGlyphSet()
        prototype = fonts.faces()[fonts.FAMILY + style].prototype
        w = widths(descendant)
        for cid, char in to_unicode(font).items():
            assert original.getGlyphID(cmap[ord(char)]) == cid  # codes are the font's ids
            new = int.from_bytes(cid_to_gid[2 * cid : 2 * cid + 2], "big")
            before, after = DecomposingRecordingPen(old_set), DecomposingRecordingPen(new_set)
            old_set[old_order[cid]].draw(before)
            new_set[new_order[new]].draw(after)
            assert before.value == after.value, char
            assert w[cid] == prototype.cw[ord(char)], char  # fpdf2's metrics
            seen.add(char)
    assert set(name.replace(" ", "")) <= seen


def test_the_same_character_set_is_embedded_once_per_process():
    first = render("coi-v1", document(snapshot(insured={"name": "Zoë Adams"})))
    again = render("coi-v1", document(snapshot(insured={"name": "Zoë Brown"})))
    files = [[f for _, _, f in embedded_fonts(pdf)] for pdf in (first, again)]
    assert files[0] == files[1]  # same characters beyond ASCII: the same cached subsets
