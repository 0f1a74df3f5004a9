"""ZIP archives streamed as they are built: the bulk download and the audit packet.

Written by ``stream_zip``, which never seeks and asks for the next member only once the
previous one is out. ``stored`` members carry their CRC-32 and size in the local header (no
data descriptor: streaming unzippers read them too); ``deflated`` members are compressed as
they pass, with a data descriptor. ZIP64 fields are written throughout, so sizes, offsets
and member counts have no 4 GiB / 65,535 limit. What is kept until the end is the central
directory: a few hundred bytes per member.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator, Iterable, Iterator
from datetime import datetime

from stream_zip import NO_COMPRESSION_64, ZIP_64, MemberFile, stream_zip

MODE = 0o644


def stored(name: str, data: bytes, modified: datetime) -> MemberFile:
    """A member whose bytes are in hand (``stream_zip`` computes their CRC-32)."""
    return name, modified, MODE, NO_COMPRESSION_64, (data,)


def stored_chunks(
    name: str, chunks: Iterable[bytes], size: int, crc: int, modified: datetime
) -> MemberFile:
    """A member of known size and CRC-32 sent as read; a mismatch aborts the archive."""
    return name, modified, MODE, NO_COMPRESSION_64(size, crc), chunks


def deflated(name: str, chunks: Iterable[bytes], modified: datetime) -> MemberFile:
    """A member of any length, compressed as it passes."""
    return name, modified, MODE, ZIP_64, chunks


def _compressor() -> zlib._Compress:
    return zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)


def stream(members: Generator[MemberFile, None, None], write_size: int) -> Iterator[bytes]:
    """The archive of ``members``, in pieces of at least ``write_size`` bytes (but the last):
    fewer, larger writes for the server. Closing this closes ``members``."""
    pending: list[bytes] = []
    held = 0
    try:
        chunks = stream_zip(members, extended_timestamps=False, get_compressobj=_compressor)
        for chunk in chunks:
            pending.append(chunk)
            held += len(chunk)
            if held >= write_size:
                yield b"".join(pending)
                pending, held = [], 0
        if pending:
            yield b"".join(pending)
    finally:
        members.close()
