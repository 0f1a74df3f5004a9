"""A ZIP archive written front to back, for responses that stream it as it is built.

Members are STORED (certificate PDFs do not compress), except ``add_deflated``'s. Ways to
add one:

- ``add_bytes(name, data)``: the bytes are in hand, so the local header carries the CRC-32
  and sizes: no data descriptor, readable by any unzipper, streaming ones included.
- ``add_known(name, chunks, crc, size)``: the same for bytes known by CRC-32 and size only
  (a spooled file), streamed in chunks.
- ``add_stream(name, chunks)``: bytes of unknown length; the CRC-32 is computed as they
  pass and a ZIP64 data descriptor follows them (general purpose flag bit 3).
- ``add_deflated(name, chunks)``: bytes of unknown length, compressed as they pass, with a
  classic 32-bit data descriptor (the XLSX export's worksheet: no ZIP64 fields, which Excel
  dislikes).

Nothing is ever rewound. The central directory is written to a spooled temporary file
(memory up to ``CENTRAL_SPOOL`` bytes, then disk) as members are added, so memory does not
grow with the number of members. ZIP64 records are added where a size, an offset or the
member count needs them (APPNOTE 6.3.x, sections 4.3.9, 4.3.14-16, 4.5.3).
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

CHUNK = 64 * 1024
CENTRAL_SPOOL = 1024 * 1024

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_DESCRIPTOR64 = struct.Struct("<IIQQ")
_DESCRIPTOR32 = struct.Struct("<IIII")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_END = struct.Struct("<IHHHHIIH")

_SIG_LOCAL = 0x04034B50
_SIG_CENTRAL = 0x02014B50
_SIG_DESCRIPTOR = 0x08074B50
_SIG_END64 = 0x06064B50
_SIG_LOCATOR64 = 0x07064B50
_SIG_END = 0x06054B50

_FLAG_DESCRIPTOR = 0x0008
_FLAG_UTF8 = 0x0800
_DEFLATED = 8
_VERSION = 20  # 2.0: stored files, folders
_VERSION64 = 45  # 4.5: ZIP64
_MADE_BY = (3 << 8) | _VERSION64  # Unix, so external attributes are file modes
_FILE_MODE = 0o100644 << 16
_U32 = 0xFFFFFFFF
_U16 = 0xFFFF


def dos_time(moment: datetime) -> tuple[int, int]:
    """(time, date) fields of a ZIP header for ``moment`` (local wall time, 2 s precision)."""
    year = min(max(moment.year, 1980), 2107)
    stamp = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    day = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    return stamp, day


class ZipWriter:
    """Builds one archive; every method returns or yields the bytes to send next, in order.

    ``limit`` is the largest value a 32-bit header field may hold before ZIP64 takes over
    (``0xFFFFFFFF`` per the format; tests lower it to exercise the ZIP64 records).
    """

    def __init__(self, modified: datetime, *, limit: int = _U32 - 1) -> None:
        self._time, self._date = dos_time(modified)
        self._limit = limit
        self._offset = 0  # bytes emitted so far
        self._count = 0
        self._central = tempfile.SpooledTemporaryFile(max_size=CENTRAL_SPOOL)  # noqa: SIM115
        self._central_size = 0
        self._closed = False

    @property
    def count(self) -> int:
        """Members added so far."""
        return self._count

    @property
    def offset(self) -> int:
        """Bytes of the archive produced so far."""
        return self._offset

    def _name(self, name: str) -> tuple[bytes, int]:
        if self._closed:
            raise ValueError("The archive is already finished.")
        if not name or name.startswith("/") or "\\" in name or ".." in name.split("/"):
            raise ValueError(f"Unsafe member name {name!r}")
        try:
            return name.encode("ascii"), 0
        except UnicodeEncodeError:
            return name.encode("utf-8"), _FLAG_UTF8

    def add_bytes(self, name: str, data: bytes) -> bytes:
        """Header and data of a member whose bytes are all known (no data descriptor)."""
        return self._header(name, zlib.crc32(data), len(data)) + data

    def add_known(self, name: str, chunks: Iterable[bytes], crc: int, size: int) -> Iterator[bytes]:
        """A member whose CRC-32 and size are known in advance (e.g. a spooled file): the
        header carries them and the chunks follow; raises if the chunks do not match."""
        yield self._header(name, crc, size)
        seen_crc = seen = 0
        for chunk in chunks:
            seen_crc = zlib.crc32(chunk, seen_crc)
            seen += len(chunk)
            yield chunk
        if (seen_crc, seen) != (crc, size):
            raise ValueError(f"Member {name!r} is not the {size} bytes announced.")

    def _header(self, name: str, crc: int, size: int) -> bytes:
        """Local header of a member of known CRC and size; counts the member's bytes."""
        encoded, flags = self._name(name)
        big = size > self._limit
        extra = struct.pack("<HHQQ", 0x0001, 16, size, size) if big else b""
        header = _LOCAL.pack(
            _SIG_LOCAL,
            _VERSION64 if big else _VERSION,
            flags,
            0,
            self._time,
            self._date,
            crc,
            _U32 if big else size,
            _U32 if big else size,
            len(encoded),
            len(extra),
        )
        offset = self._offset
        self._offset += len(header) + len(encoded) + len(extra) + size
        self._remember(encoded, flags, crc, size, offset)
        return header + encoded + extra

    def add_stream(self, name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """A member of unknown length: header, the chunks as they come, ZIP64 descriptor."""
        encoded, flags = self._name(name)
        flags |= _FLAG_DESCRIPTOR
        # Sizes in the local header are unknown: zero, with a ZIP64 extra field that tells
        # readers the descriptor holds 8-byte sizes.
        extra = struct.pack("<HHQQ", 0x0001, 16, 0, 0)
        header = _LOCAL.pack(
            _SIG_LOCAL, _VERSION64, flags, 0, self._time, self._date, 0, _U32, _U32,
            len(encoded), len(extra),
        )  # fmt: skip
        offset = self._offset
        start = header + encoded + extra
        self._offset += len(start)
        yield start
        crc = size = 0
        for chunk in chunks:
            if chunk:
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                self._offset += len(chunk)
                yield chunk
        descriptor = _DESCRIPTOR64.pack(_SIG_DESCRIPTOR, crc, size, size)
        self._offset += len(descriptor)
        self._remember(encoded, flags, crc, size, offset)
        yield descriptor

    def add_deflated(
        self, name: str, chunks: Iterable[bytes], *, level: int = 6
    ) -> Iterator[bytes]:
        """A member of unknown length, DEFLATE-compressed as it passes, with a classic
        (32-bit) data descriptor and no ZIP64 fields.

        For office documents (XLSX): Excel is known to reject ZIP64 fields in small files.
        Raises ``ValueError`` past 4 GiB (or ``limit``), which such a member never reaches.
        """
        encoded, flags = self._name(name)
        flags |= _FLAG_DESCRIPTOR
        header = _LOCAL.pack(
            _SIG_LOCAL, _VERSION, flags, _DEFLATED, self._time, self._date, 0, 0, 0,
            len(encoded), 0,
        )  # fmt: skip
        offset = self._offset
        if offset > self._limit:
            raise ValueError(f"Member {name!r} would start beyond the 32-bit limit.")
        self._offset += len(header) + len(encoded)
        yield header + encoded
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        crc = size = packed = 0
        for chunk in chunks:
            if not chunk:
                continue
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            out = compressor.compress(chunk)
            if out:
                packed += len(out)
                self._offset += len(out)
                yield out
        out = compressor.flush()
        packed += len(out)
        self._offset += len(out)
        if size > self._limit or packed > self._limit:
            raise ValueError(f"Member {name!r} is too large without ZIP64.")
        descriptor = _DESCRIPTOR32.pack(_SIG_DESCRIPTOR, crc, packed, size)
        self._offset += len(descriptor)
        self._remember(encoded, flags, crc, size, offset, packed=packed, method=_DEFLATED)
        yield out + descriptor

    def _remember(
        self,
        encoded: bytes,
        flags: int,
        crc: int,
        size: int,
        offset: int,
        *,
        packed: int | None = None,
        method: int = 0,
    ) -> None:
        """Append the member's central directory record to the spool."""
        if packed is None:
            packed = size
        big_size = size > self._limit or packed > self._limit
        big_offset = offset > self._limit
        extra_values = ([size, packed] if big_size else []) + ([offset] if big_offset else [])
        extra = b""
        if extra_values:
            extra = struct.pack(
                f"<HH{len(extra_values)}Q", 0x0001, 8 * len(extra_values), *extra_values
            )
        needs64 = bool(extra_values) or (bool(flags & _FLAG_DESCRIPTOR) and method == 0)
        record = _CENTRAL.pack(
            _SIG_CENTRAL,
            _MADE_BY,
            _VERSION64 if needs64 else _VERSION,
            flags,
            method,
            self._time,
            self._date,
            crc,
            _U32 if big_size else packed,
            _U32 if big_size else size,
            len(encoded),
            len(extra),
            0,  # comment length
            0,  # disk number
            0,  # internal attributes
            _FILE_MODE,
            _U32 if big_offset else offset,
        )
        self._central.write(record)
        self._central.write(encoded)
        self._central.write(extra)
        self._central_size += len(record) + len(encoded) + len(extra)
        self._count += 1

    def finish(self) -> Iterator[bytes]:
        """The central directory and end records. The writer cannot be used afterwards."""
        if self._closed:
            raise ValueError("The archive is already finished.")
        self._closed = True
        start = self._offset
        self._central.seek(0)
        while chunk := self._central.read(CHUNK):
            self._offset += len(chunk)
            yield chunk
        self._central.close()
        size = self._central_size
        tail = b""
        if self._count >= _U16 or size > self._limit or start > self._limit:
            end64_at = self._offset
            tail += _END64.pack(
                _SIG_END64, 44, _MADE_BY, _VERSION64, 0, 0, self._count, self._count, size, start
            )
            tail += _LOCATOR64.pack(_SIG_LOCATOR64, 0, end64_at, 1)
        tail += _END.pack(
            _SIG_END,
            0,
            0,
            min(self._count, _U16),
            min(self._count, _U16),
            _U32 if size > self._limit else size,
            _U32 if start > self._limit else start,
            0,
        )
        self._offset += len(tail)
        yield tail

    def close(self) -> None:
        """Release the spool (when the archive is abandoned half-way)."""
        self._closed = True
        self._central.close()


def coalesce(chunks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """The same bytes, in pieces of at least ``size`` (but the last): fewer, larger writes.

    A streamed response costs the server a pass through its write path per piece; an
    archive of small members would otherwise make one or two per member. Closing this
    generator closes ``chunks``.
    """
    pending: list[bytes] = []
    held = 0
    try:
        for chunk in chunks:
            pending.append(chunk)
            held += len(chunk)
            if held >= size:
                yield b"".join(pending)
                pending, held = [], 0
        if pending:
            yield b"".join(pending)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
