"""The streamed ZIP of the bulk download and the audit packet: archives that Python's
zipfile and Info-ZIP's unzip both accept, built member by member as they are sent."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from datetime import datetime

import pytest
from stream_zip import CRC32IntegrityError

from compliance_hub.certificates.exports import archive
from tests import needs

MOMENT = datetime(2026, 3, 4, 14, 5, 31)
PDF = b"%PDF-1.7 first" * 100
STREAMED = b"%PDF-1.7 streamed member " * 3000
CSV = "Contractor,Zoë\r\n".encode()


def unzip_test(data: bytes, tmp_path) -> str:
    """Info-ZIP's own integrity check (an implementation independent of Python's)."""
    unzip = shutil.which("unzip")
    if unzip is None:
        needs.missing("unzip (Info-ZIP)", "apt-get install unzip")
    path = tmp_path / "archive.zip"
    path.write_bytes(data)
    result = subprocess.run([unzip, "-t", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def members():
    yield archive.stored("Garcia-Jose_2026-03-01_2026-03-14_CH-7K3M-9QXP.pdf", PDF, MOMENT)
    chunks = (STREAMED[i : i + 7000] for i in range(0, len(STREAMED), 7000))
    yield archive.stored_chunks("streamed.pdf", chunks, len(STREAMED), zlib.crc32(STREAMED), MOMENT)
    yield archive.deflated("index.csv", iter([CSV[:5], CSV[5:]]), MOMENT)
    yield archive.stored("王-芳_2026.pdf", b"unicode name", MOMENT)
    yield archive.stored("empty.txt", b"", MOMENT)


EXPECTED = {
    "Garcia-Jose_2026-03-01_2026-03-14_CH-7K3M-9QXP.pdf": PDF,
    "streamed.pdf": STREAMED,
    "index.csv": CSV,
    "王-芳_2026.pdf": b"unicode name",
    "empty.txt": b"",
}


def local_headers(data: bytes, archive_: zipfile.ZipFile):
    """(flags, method, crc, name) of each member's local header."""
    for info in archive_.infolist():
        at = info.header_offset
        assert data[at : at + 4] == b"PK\x03\x04"
        _version, flags, method, _time, _date, crc = struct.unpack_from("<HHHHHI", data, at + 4)
        yield flags, method, crc, info.filename


def test_members_read_back_exactly_and_info_zip_agrees(tmp_path):
    data = b"".join(archive.stream(members(), 1024))
    opened = zipfile.ZipFile(io.BytesIO(data))
    assert opened.testzip() is None
    assert opened.namelist() == list(EXPECTED)
    for name, content in EXPECTED.items():
        assert opened.read(name) == content
        assert opened.getinfo(name).date_time == (2026, 3, 4, 14, 5, 30)
    assert opened.getinfo("index.csv").compress_type == zipfile.ZIP_DEFLATED
    assert opened.getinfo("streamed.pdf").compress_type == zipfile.ZIP_STORED
    assert "No errors detected" in unzip_test(data, tmp_path)


def test_stored_members_carry_crc_and_size_in_the_local_header():
    """No data descriptor for a stored member: a reader going front to back (a streaming
    unzipper) knows where each one ends."""
    data = b"".join(archive.stream(members(), 1024))
    for flags, method, crc, name in local_headers(data, zipfile.ZipFile(io.BytesIO(data))):
        if method == 0:
            assert not flags & 0x08, name
            assert crc == zlib.crc32(EXPECTED[name]), name
        else:
            assert flags & 0x08, name  # compressed as it passed: sizes follow the data


def test_member_names_are_flagged_utf8():
    data = b"".join(archive.stream(members(), 1024))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("王-芳_2026.pdf")
    assert info.flag_bits & 0x800


def test_an_empty_archive_is_valid():
    data = b"".join(archive.stream((member for member in ()), 1024))
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == []


@pytest.mark.slow
def test_more_than_65535_members(tmp_path):
    def many():
        for i in range(70_000):
            yield archive.stored(f"f{i}.txt", str(i).encode(), MOMENT)

    data = b"".join(archive.stream(many(), 1024 * 1024))
    opened = zipfile.ZipFile(io.BytesIO(data))
    assert len(opened.infolist()) == 70_000
    assert opened.read("f69999.txt") == b"69999"
    unzip_test(data, tmp_path)


def test_a_member_that_is_not_what_was_announced_aborts_the_archive():
    def wrong():
        yield archive.stored_chunks("x.pdf", iter([b"abcde"]), 5, zlib.crc32(b"abcdX"), MOMENT)

    with pytest.raises(CRC32IntegrityError):
        b"".join(archive.stream(wrong(), 1024))


def test_members_are_built_as_the_archive_is_read():
    """A member is asked for only once the previous one has been sent."""
    built = []

    def lazy():
        for name in ("a.pdf", "b.pdf", "c.pdf"):
            built.append(name)
            yield archive.stored(name, name.encode() * 1000, MOMENT)

    out = archive.stream(lazy(), 1)
    assert next(out).startswith(b"PK\x03\x04") and built == ["a.pdf"]
    b"".join(out)
    assert built == ["a.pdf", "b.pdf", "c.pdf"]


def test_pieces_are_at_least_the_write_size_but_the_last():
    data = list(archive.stream(members(), 10_000))
    assert all(len(piece) >= 10_000 for piece in data[:-1])
    assert len(data) < 12


def test_closing_the_stream_closes_the_members_generator():
    closed = []

    def source():
        try:
            for i in range(10):
                yield archive.stored(f"{i}.pdf", b"x" * 100, MOMENT)
        finally:
            closed.append(True)

    out = archive.stream(source(), 1)
    next(out)
    out.close()  # the client went away mid-download
    assert closed == [True]
