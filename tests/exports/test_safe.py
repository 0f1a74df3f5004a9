"""Formula injection: text a spreadsheet would run is prefixed with an apostrophe."""

import pytest

from compliance_hub.certificates.exports.safe import neutralise


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
    ],
)
def test_formula_triggers_are_prefixed(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "José García", "Smith-Jones", "a=b", "Night shift - ward 3", "'quoted", " =1", "CH-7K3M"],
)
def test_ordinary_text_is_unchanged(value):
    assert neutralise(value) == value
