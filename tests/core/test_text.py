"""core.text: the bidirectional control characters that names must not carry onto a page."""

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from compliance_hub.core.text import BIDI_CONTROLS, has_bidi_controls, neutralise_bidi

# Unicode's explicit directional formatting characters (UAX #9, table 1), by bidi class.
EXPLICIT = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
MARKS = {"\u200e", "\u200f", "\u061c"}  # LRM, RLM, ALM: invisible, and they steer reordering

TEXT = st.lists(
    st.one_of(st.sampled_from(sorted(BIDI_CONTROLS)), st.text(max_size=4)), max_size=12
).map("".join)


def test_every_explicit_directional_character_and_mark_is_a_control():
    explicit = {
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.bidirectional(chr(cp)) in EXPLICIT
    }
    assert explicit | MARKS == BIDI_CONTROLS


@given(TEXT)
def test_neutralised_text_keeps_everything_but_the_controls(text):
    result = neutralise_bidi(text)
    assert not has_bidi_controls(result)
    assert result == "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    assert neutralise_bidi(result) == result


@given(st.text(st.characters(blacklist_characters=sorted(BIDI_CONTROLS))))
def test_text_without_controls_is_untouched(text):
    assert not has_bidi_controls(text)
    assert neutralise_bidi(text) == text


def test_a_name_that_reads_backwards_reads_forwards():
    assert neutralise_bidi("Smith\u202eFDP.exe") == "SmithFDP.exe"
    assert neutralise_bidi("\u2067Ann\u2069 \u200fLee") == "Ann Lee"
