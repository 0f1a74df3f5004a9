"""A ZIP written straight into a byte stream, for responses that must not buffer the archive."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

CHUNK = 64 * 1024


class _Sink:
    """An unseekable, write-only file that hands out what was written since the last take."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self._position = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    @property
    def pending(self) -> int:
        return self._size

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        return data


class ZipStream:
    """Add members one by one; each ``add_*`` yields the archive's bytes as they are made.

    zipfile writes data descriptors on an unseekable stream, so nothing is ever rewound
    and memory holds at most one chunk of one member.
    """

    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, mode="w", allowZip64=True)  # type: ignore[call-overload]
        self._stamp = time.localtime()[:6]

    def _info(self, name: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add_chunks(
        self, name: str, chunks: Iterable[bytes], compress: bool = True
    ) -> Iterator[bytes]:
        with self._zip.open(self._info(name, compress), mode="w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
                if self._sink.pending >= CHUNK:
                    yield self._sink.take()
        yield self._sink.take()

    def add_file(self, name: str, source: IO[bytes], compress: bool = False) -> Iterator[bytes]:
        def chunks() -> Iterator[bytes]:
            while data := source.read(CHUNK):
                yield data

        yield from self.add_chunks(name, chunks(), compress)

    def close(self) -> Iterator[bytes]:
        self._zip.close()
        yield self._sink.take()
