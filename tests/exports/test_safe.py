"""Formula injection and bidi controls: one function for every spreadsheet cell the hub writes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance_hub.core.text import spreadsheet_cell as neutralise

TRIGGERS = set("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),  # full-width =
        ("\uff0b1+2", "'\uff0b1+2"),  # full-width +
        ("\uff0d1+2", "'\uff0d1+2"),  # full-width -
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),  # full-width @
        ("\u202e=1+1", "'=1+1"),  # a hidden control in front of a trigger
        ("Smith\u202eFDP.exe", "SmithFDP.exe"),  # a name that would read backwards
    ],
)
def test_formula_triggers_are_prefixed_and_bidi_controls_removed(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "José García", "Smith-Jones", "a=b", "Night shift - ward 3", "'quoted", " =1", "CH-7K3M"],
)
def test_ordinary_text_is_unchanged(value):
    assert neutralise(value) == value


# Any text, with triggers and controls anywhere in it (at the start in most examples).
TEXT = st.lists(
    st.one_of(st.sampled_from(sorted(TRIGGERS | BIDI)), st.text(max_size=3)), max_size=8
).map("".join)


@given(TEXT)
def test_no_result_starts_as_a_formula_or_carries_a_control(value):
    result = neutralise(value)
    assert result[:1] not in TRIGGERS
    assert BIDI.isdisjoint(result)
    shown = "".join(ch for ch in value if ch not in BIDI)
    assert result in (shown, "'" + shown)  # nothing else is changed
    assert neutralise(result) == result
