"""A TrueType subsetter for embedding fonts in PDFs, by slicing (see README.md beside it).

A font is parsed once per process; each subset is built by slicing: the glyphs a document
uses, plus the components of composite glyphs (accented letters), renumbered in their
original order; a PDF CIDToGIDMap points at the new ids. Tables a PDF viewer does not need
for a CIDFontType2 (cmap, name, kerning, OpenType layout, glyph names) are left out;
TrueType hinting is kept (renderers that execute it, such as Ghostscript, draw small text
badly without it). The output depends only on the font file and the set of glyph ids.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterable

# Tables copied unchanged (those present in the font, hinting programs included); glyf,
# loca, hmtx, head, hhea, maxp and post are rebuilt.
_COPIED = ("OS/2", "cvt ", "fpgm", "prep")

# Composite glyph component flags (OpenType 'glyf' table).
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_HAVE_XY_SCALE = 0x0040
_HAVE_2X2 = 0x0080


def _u32_array(data: bytes) -> array[int]:
    values = array("I", data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(_u32_array(padded)) & 0xFFFFFFFF


class TrueTypeFont:
    """One TrueType (glyf-outline) font, parsed once, able to emit small subsets quickly."""

    def __init__(self, data: bytes) -> None:
        version, num_tables = struct.unpack_from(">IH", data, 0)
        if version not in (0x00010000, 0x74727565):
            raise ValueError("Only TrueType fonts with glyf outlines can be subset here.")
        self.tables: dict[str, bytes] = {}
        for index in range(num_tables):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            self.tables[tag.decode("latin-1")] = data[offset : offset + length]
        for required in ("head", "hhea", "hmtx", "maxp", "loca", "glyf"):
            if required not in self.tables:
                raise ValueError(f"The font has no {required!r} table.")
        self.num_glyphs: int = struct.unpack_from(">H", self.tables["maxp"], 4)[0]
        self.num_hmetrics: int = struct.unpack_from(">H", self.tables["hhea"], 34)[0]
        long_loca = struct.unpack_from(">h", self.tables["head"], 50)[0] == 1
        count = self.num_glyphs + 1
        if long_loca:
            self.offsets = list(_u32_array(self.tables["loca"][: 4 * count]))
        else:
            short = array("H", self.tables["loca"][: 2 * count])
            if sys.byteorder == "little":
                short.byteswap()
            self.offsets = [2 * value for value in short]
        self._components: dict[int, tuple[tuple[int, int], ...]] = {}
        self._glyph_sums: dict[int, int] = {}
        self._table_sums = {tag: _checksum(data) for tag, data in self.tables.items()}

    def glyph(self, gid: int) -> bytes:
        """The raw 'glyf' record of glyph ``gid`` (empty for blank glyphs such as space)."""
        return self.tables["glyf"][self.offsets[gid] : self.offsets[gid + 1]]

    def components(self, gid: int) -> tuple[tuple[int, int], ...]:
        """(byte offset, glyph id) of each component of a composite glyph (an accented letter)."""
        cached = self._components.get(gid)
        if cached is not None:
            return cached
        data = self.glyph(gid)
        found: list[tuple[int, int]] = []
        if len(data) >= 10 and struct.unpack_from(">h", data, 0)[0] < 0:
            pos = 10
            while True:
                flags, component = struct.unpack_from(">HH", data, pos)
                found.append((pos + 2, component))
                pos += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
                if flags & _HAVE_SCALE:
                    pos += 2
                elif flags & _HAVE_XY_SCALE:
                    pos += 4
                elif flags & _HAVE_2X2:
                    pos += 8
                if not flags & _MORE_COMPONENTS:
                    break
        result = tuple(found)
        self._components[gid] = result
        return result

    def closure(self, gids: Iterable[int]) -> list[int]:
        """``gids`` plus .notdef plus every component they need, sorted."""
        seen = {0}
        todo = [gid for gid in gids if 0 <= gid < self.num_glyphs]
        while todo:
            gid = todo.pop()
            if gid in seen:
                continue
            seen.add(gid)
            todo.extend(component for _, component in self.components(gid))
        return sorted(seen)

    def metrics(self, gid: int) -> bytes:
        """(advance width, left side bearing) of ``gid`` as four bytes."""
        hmtx = self.tables["hmtx"]
        last = self.num_hmetrics - 1
        if gid <= last:
            return hmtx[4 * gid : 4 * gid + 4]
        at = 4 * self.num_hmetrics + 2 * (gid - self.num_hmetrics)
        return hmtx[4 * last : 4 * last + 2] + hmtx[at : at + 2]

    def subset(self, gids: Iterable[int]) -> tuple[bytes, dict[int, int]]:
        """A compact TrueType font with only ``gids`` (and what they need).

        Returns the font file and the new glyph id of every kept original glyph id.
        Glyphs are renumbered in their original order (.notdef stays 0).
        """
        keep = self.closure(gids)
        new_id = {old: new for new, old in enumerate(keep)}
        glyf_parts: list[bytes] = []
        glyf_sum = 0
        offsets = [0]
        for old in keep:
            data = self.glyph(old)
            components = self.components(old)
            if components:
                patched = bytearray(data)
                for at, component in components:
                    patched[at : at + 2] = new_id[component].to_bytes(2, "big")
                data = bytes(patched) + b"\0" * (-len(patched) % 4)
                glyf_sum += _checksum(data)
            else:
                data += b"\0" * (-len(data) % 4)
                glyf_sum += self._glyph_sum(old, data)
            glyf_parts.append(data)
            offsets.append(offsets[-1] + len(data))
        loca = array("I", offsets)
        if sys.byteorder == "little":
            loca.byteswap()
        hmtx = b"".join(self.metrics(old) for old in keep)

        count = len(keep).to_bytes(2, "big")
        head = bytearray(self.tables["head"])
        head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set when the file is assembled
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        hhea = self.tables["hhea"][:34] + count + self.tables["hhea"][36:]
        maxp = self.tables["maxp"][:4] + count + self.tables["maxp"][6:]
        post = bytearray(self.tables.get("post", b"\0" * 32)[:32].ljust(32, b"\0"))
        post[0:4] = struct.pack(">I", 0x00030000)  # version 3: no glyph names

        tables = {
            tag: (self.tables[tag], self._table_sums[tag]) for tag in _COPIED if tag in self.tables
        }
        for tag, data in (
            ("head", bytes(head)),
            ("hhea", hhea),
            ("hmtx", hmtx),
            ("loca", loca.tobytes()),
            ("maxp", maxp),
            ("post", bytes(post)),
        ):
            tables[tag] = (data, _checksum(data))
        tables["glyf"] = (b"".join(glyf_parts), glyf_sum & 0xFFFFFFFF)
        return _write_sfnt(tables), new_id

    def _glyph_sum(self, gid: int, padded: bytes) -> int:
        cached = self._glyph_sums.get(gid)
        if cached is None:
            cached = self._glyph_sums[gid] = _checksum(padded)
        return cached


def _write_sfnt(tables: dict[str, tuple[bytes, int]]) -> bytes:
    """Assemble tables (data, checksum) into a font file with a valid head checksum."""
    tags = sorted(tables)
    count = len(tags)
    entry_selector = count.bit_length() - 1
    search_range = 16 * (1 << entry_selector)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, search_range, entry_selector, 16 * count - search_range
    )
    offset = 12 + 16 * count
    records: list[bytes] = []
    bodies: list[bytes] = []
    head_at = 0
    total = 0
    for tag in tags:
        data, checksum = tables[tag]
        if tag == "head":
            head_at = offset
        records.append(struct.pack(">4sIII", tag.encode("latin-1"), checksum, offset, len(data)))
        bodies.append(data + b"\0" * (-len(data) % 4))
        offset += len(bodies[-1])
        total += checksum
    directory = header + b"".join(records)
    total += _checksum(directory)
    font = bytearray(directory + b"".join(bodies))
    adjustment = (0xB1B0AFBA - total) & 0xFFFFFFFF
    font[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)
