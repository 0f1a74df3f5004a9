"""The QR encoder of certificates (pdf/compact/qr.py), checked against reference encoders:
exactly ``qrcode``'s modules, and ``segno``'s function patterns and format information."""

import random
import string

import pytest
import qrcode
import segno
from qrcode.constants import ERROR_CORRECT_M

from compliance_hub.certificates.pdf.compact import qr

URLS = [
    "http://testserver/v/CH-7K3M-9QXP/4D9P2X7KQM/",
    "https://hub.example.com/v/CH-0000-0000/0000000000/",
    "https://certificates.a-rather-long-staffing-partner-domain.example.org/v/CH-ZZZZ-ZZZZ/ZZZZZZZZZZ/",
]


def reference(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=qr.MASK)
    code.add_data(text.encode("utf-8"), optimize=0)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


@pytest.mark.parametrize("url", URLS)
def test_verification_urls_match_the_reference_encoder(url):
    assert qr.matrix(url) == reference(url)


@pytest.mark.parametrize("url", URLS)
def test_segno_draws_the_same_symbol_around_the_data(url):
    """segno pads the data differently (a zero codeword after the terminator), so only the
    data region may differ: size, finders, timing, alignment, format and version
    information are the same modules."""
    ours = qr.matrix(url)
    version = (len(ours) - 17) // 4
    theirs = segno.make_qr(url, error="m", mode="byte", mask=qr.MASK, boost_error=False)
    assert (theirs.version, theirs.mask, theirs.error) == (version, qr.MASK, "M")
    matrix = [[bool(cell) for cell in row] for row in theirs.matrix]
    data = set(qr._template(version)[1])
    size = len(ours)
    for r in range(size):
        for c in range(size):
            if (r, c) not in data:
                assert matrix[r][c] == ours[r][c], (r, c)


def test_random_texts_of_every_version_up_to_13_match_the_reference_encoder():
    rng = random.Random(20260301)
    versions = set()
    for _ in range(150):
        # a lower-case letter keeps the reference in byte mode, as ours always is
        text = "a" + "".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(0, 330)))
        modules = qr.matrix(text)
        assert modules == reference(text)
        versions.add((len(modules) - 17) // 4)
    assert versions >= set(range(1, 14))


def test_accented_text_is_encoded_as_utf8():
    assert qr.matrix("https://hub.example.com/?n=Zoë") == reference(
        "https://hub.example.com/?n=Zoë"
    )


def test_too_long_text_is_refused():
    with pytest.raises(qr.TooLong):
        qr.matrix("a" * 2000)


def test_runs_cover_exactly_the_dark_modules():
    modules = qr.matrix("http://testserver/v/CH-7K3M-9QXP/4D9P2X7KQM/")
    painted = {(row, col + i) for col, row, length in qr.runs(modules) for i in range(length)}
    dark = {(r, c) for r, line in enumerate(modules) for c, cell in enumerate(line) if cell}
    assert painted == dark
