"""QR codes for verification addresses: a small encoder (byte mode, error level M).

It takes the standard's tables from ``qrcode`` (error-correction block structure, alignment
pattern positions, BCH codes for format and version information) and does the per-code work
(Reed-Solomon, placement) with precomputed, per-version templates. A fixed mask pattern (any
of the eight is valid for readers) keeps the result a pure function of the text.
``tests/certificates/test_qr.py`` checks the matrices against ``qrcode``'s own for many
inputs and versions. See README.md beside this file for why it exists.
"""

from __future__ import annotations

from functools import cache

from qrcode.base import rs_blocks
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import BCH_type_info, BCH_type_number, pattern_position

MASK = 2  # dark modules in every third column are inverted
MAX_VERSION = 20
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


class TooLong(ValueError):
    """The text does not fit the largest QR version supported here."""


def _masked(row: int, col: int) -> bool:
    return col % 3 == 0  # mask pattern 2


@cache
def _generator(degree: int) -> tuple[int, ...]:
    """Reed-Solomon generator polynomial coefficients (as logs), highest degree first."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return tuple(_LOG[c] for c in poly[1:])


def _ec_codewords(data: list[int], degree: int) -> list[int]:
    generator = _generator(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = [*remainder[1:], 0]
        if factor:
            log_factor = _LOG[factor]
            for i, log_coef in enumerate(generator):
                remainder[i] ^= _EXP[log_factor + log_coef]
    return remainder


@cache
def _blocks(version: int) -> tuple[tuple[int, int], ...]:
    """(data codewords, error-correction codewords) of each block, for level M."""
    return tuple(
        (block.data_count, block.total_count - block.data_count)
        for block in rs_blocks(version, ERROR_CORRECT_M)
    )


@cache
def _template(version: int) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int], ...]]:
    """Function patterns of ``version`` (with format and version information for level M
    and the mask), and the data module positions in placement order."""
    n = 4 * version + 17
    grid: list[list[bool | None]] = [[None] * n for _ in range(n)]

    def finder(top: int, left: int) -> None:
        for r in range(-1, 8):
            for c in range(-1, 8):
                rr, cc = top + r, left + c
                if 0 <= rr < n and 0 <= cc < n:
                    ring = max(abs(r - 3), abs(c - 3))
                    grid[rr][cc] = ring != 2 and ring != 4  # 3x3 core, ring, separator

    finder(0, 0)
    finder(0, n - 7)
    finder(n - 7, 0)
    centres = pattern_position(version)
    for r in centres:
        for c in centres:
            if grid[r][c] is not None:
                continue  # overlaps a finder pattern
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    grid[r + dr][c + dc] = max(abs(dr), abs(dc)) != 1
    for i in range(8, n - 8):  # timing patterns, where no alignment pattern sits
        if grid[6][i] is None:
            grid[6][i] = i % 2 == 0
        if grid[i][6] is None:
            grid[i][6] = i % 2 == 0
    format_bits = BCH_type_info((ERROR_CORRECT_M << 3) | MASK)
    for i in range(15):
        bit = (format_bits >> i) & 1 == 1
        row = i if i < 6 else i + 1 if i < 8 else n - 15 + i
        grid[row][8] = bit
        col = n - i - 1 if i < 8 else 15 - i if i < 9 else 14 - i
        grid[8][col] = bit
    grid[n - 8][8] = True  # the dark module
    if version >= 7:
        version_bits = BCH_type_number(version)
        for i in range(18):
            bit = (version_bits >> i) & 1 == 1
            grid[i // 3][i % 3 + n - 11] = bit
            grid[i % 3 + n - 11][i // 3] = bit
    order: list[tuple[int, int]] = []
    col = n - 1
    upward = True
    while col > 0:
        if col == 6:
            col -= 1  # the vertical timing pattern is not a data column
        rows = range(n - 1, -1, -1) if upward else range(n)
        for r in rows:
            for c in (col, col - 1):
                if grid[r][c] is None:
                    order.append((r, c))
        upward = not upward
        col -= 2
    base = tuple(tuple(bool(cell) for cell in row) for row in grid)
    return base, tuple(order)


def _codewords(data: bytes) -> tuple[int, list[int]]:
    """Choose the smallest version for ``data`` and return it with the final codewords."""
    for version in range(1, MAX_VERSION + 1):
        blocks = _blocks(version)
        capacity = 8 * sum(d for d, _ in blocks)
        count_bits = 8 if version < 10 else 16
        needed = 4 + count_bits + 8 * len(data)
        if needed <= capacity:
            break
    else:
        raise TooLong(f"{len(data)} bytes do not fit a version {MAX_VERSION} QR code.")
    bits = (0b0100 << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
    length = needed
    terminator = min(4, capacity - length)
    bits <<= terminator
    length += terminator
    pad = -length % 8
    bits <<= pad
    length += pad
    stream = list(bits.to_bytes(length // 8, "big"))
    filler = (0xEC, 0x11)
    stream.extend(filler[i % 2] for i in range(capacity // 8 - len(stream)))

    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    at = 0
    for data_count, ec_count in blocks:
        chunk = stream[at : at + data_count]
        at += data_count
        data_blocks.append(chunk)
        ec_blocks.append(_ec_codewords(chunk, ec_count))
    out: list[int] = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(block) for block in group)):
            out.extend(block[i] for block in group if i < len(block))
    return version, out


def matrix(text: str) -> list[list[bool]]:
    """The QR modules for ``text`` (True = dark), without the quiet zone."""
    version, codewords = _codewords(text.encode("utf-8"))
    base, order = _template(version)
    grid = [list(row) for row in base]
    total_bits = 8 * len(codewords)
    for index, (r, c) in enumerate(order):
        bit = index < total_bits and (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
        grid[r][c] = bit != _masked(r, c)
    return grid


def runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (column, row, length)."""
    found: list[tuple[int, int, int]] = []
    for y, row in enumerate(modules):
        x = 0
        size = len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                found.append((start, y, x - start))
            else:
                x += 1
    return found
