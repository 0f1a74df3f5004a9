"""The font subsetter (pdf/compact/sfnt.py), checked with fontTools: a subset keeps exactly
the outlines and metrics of the glyphs a document uses."""

import io
import struct

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from compliance_hub.certificates.pdf.compact.fonts import FONT_DIR
from compliance_hub.certificates.pdf.compact.sfnt import TrueTypeFont, _checksum

TEXT = "José Zoë Nguyễn Łukasz Ó Súilleabháin 0123456789 $,.\u2013\u2014\u2026"


@pytest.mark.parametrize("filename", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_subset_draws_the_same_glyphs_as_the_original(filename):
    data = (FONT_DIR / filename).read_bytes()
    original = TTFont(io.BytesIO(data))
    cmap = original.getBestCmap()
    gids = [original.getGlyphID(cmap[ord(ch)]) for ch in TEXT]
    subset_bytes, new_id = TrueTypeFont(data).subset(gids)

    subset = TTFont(io.BytesIO(subset_bytes))
    assert subset["maxp"].numGlyphs == len(new_id) < 100
    assert new_id[0] == 0  # .notdef stays first
    old_order, new_order = original.getGlyphOrder(), subset.getGlyphOrder()
    old_set, new_set = original.getGlyphSet(), subset.getGlyphSet()
    for ch in set(TEXT):
        old = original.getGlyphID(cmap[ord(ch)])
        before, after = DecomposingRecordingPen(old_set), DecomposingRecordingPen(new_set)
        old_set[old_order[old]].draw(before)
        new_set[new_order[new_id[old]]].draw(after)
        assert before.value == after.value, ch  # accented letters are composites: followed
        assert subset["hmtx"][new_order[new_id[old]]] == original["hmtx"][old_order[old]]


def test_subset_is_a_valid_font_file_with_correct_checksums():
    data, _ = TrueTypeFont((FONT_DIR / "DejaVuSans.ttf").read_bytes()).subset([36, 72, 171])
    assert _checksum(data) == 0xB1B0AFBA  # whole-file checksum, as the spec requires
    (count,) = struct.unpack_from(">H", data, 4)
    for index in range(count):
        tag, checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        table = data[offset : offset + length]
        if tag == b"head":
            table = table[:8] + b"\0\0\0\0" + table[12:]
        assert _checksum(table) == checksum, tag
    TTFont(io.BytesIO(data)).save(io.BytesIO())  # fontTools reads and rewrites it


def test_same_glyphs_give_identical_bytes():
    font = TrueTypeFont((FONT_DIR / "DejaVuSans.ttf").read_bytes())
    assert font.subset([40, 36, 72])[0] == font.subset([72, 40, 36, 36])[0]


def test_non_truetype_data_is_refused():
    with pytest.raises(ValueError):
        TrueTypeFont(b"OTTO" + b"\0" * 100)
