"""The streaming ZIP writer: archives that zipfile and Info-ZIP's unzip both accept."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from datetime import datetime

import pytest

from compliance_hub.certificates.exports.zipstream import ZipWriter, coalesce, dos_time
from tests import needs

MOMENT = datetime(2026, 3, 4, 14, 5, 31)


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


def build(writer: ZipWriter, members) -> bytes:
    out = bytearray()
    for kind, name, data in members:
        if kind == "bytes":
            out += writer.add_bytes(name, data)
        elif kind == "stream":
            for chunk in writer.add_stream(name, (data[i : i + 7] for i in range(0, len(data), 7))):
                out += chunk
        else:
            import zlib

            for chunk in writer.add_known(name, [data[:5], data[5:]], zlib.crc32(data), len(data)):
                out += chunk
    for chunk in writer.finish():
        out += chunk
    assert writer.offset == len(out)
    return bytes(out)


MEMBERS = [
    ("bytes", "Garcia-Jose_2026-03-01_2026-03-14_CH-7K3M-9QXP.pdf", b"%PDF-1.7 first" * 100),
    ("stream", "streamed.pdf", b"%PDF-1.7 streamed member " * 300),
    ("known", "index.csv", "Contractor,Zoë\r\n".encode()),
    ("bytes", "王芳_2026.pdf", b"unicode name"),
    ("bytes", "empty.txt", b""),
]


def test_members_read_back_exactly(tmp_path):
    data = build(ZipWriter(MOMENT), MEMBERS)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == [name for _, name, _ in MEMBERS]
    for _, name, content in MEMBERS:
        assert archive.read(name) == content
        info = archive.getinfo(name)
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.date_time == (2026, 3, 4, 14, 5, 30)
    # Only the member of unknown length needs a data descriptor (flag bit 3).
    flags = {info.filename: info.flag_bits for info in archive.infolist()}
    assert flags["streamed.pdf"] & 0x08
    assert not flags["index.csv"] & 0x08 and not flags[MEMBERS[0][1]] & 0x08
    assert flags["王芳_2026.pdf"] & 0x800  # UTF-8 name
    listing = unzip_test(data, tmp_path)
    assert "No errors detected" in listing


def test_zip64_records_when_sizes_and_offsets_exceed_the_limit(tmp_path):
    """With the 32-bit limit lowered, every size and offset above it goes to ZIP64 fields
    (as above 4 GiB), and readers must take them from there."""
    data = build(ZipWriter(MOMENT, limit=100), MEMBERS)
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # ZIP64 end record + locator
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    for _, name, content in MEMBERS:
        assert archive.read(name) == content
    unzip_test(data, tmp_path)


def test_an_empty_archive_is_valid(tmp_path):
    data = build(ZipWriter(MOMENT), [])
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == []


@pytest.mark.slow
def test_more_than_65535_members_use_a_zip64_end_record():
    writer = ZipWriter(MOMENT)
    out = io.BytesIO()
    for i in range(70_000):
        out.write(writer.add_bytes(f"f{i}.txt", str(i).encode()))
    for chunk in writer.finish():
        out.write(chunk)
    archive = zipfile.ZipFile(out)
    assert len(archive.infolist()) == 70_000
    assert archive.read("f69999.txt") == b"69999"


def test_stream_members_are_sent_as_they_are_read():
    writer = ZipWriter(MOMENT)
    consumed = []

    def source():
        for part in (b"one", b"two", b"three"):
            consumed.append(part)
            yield part

    out = writer.add_stream("a.bin", source())
    assert next(out).startswith(b"PK\x03\x04") and consumed == []  # header before any data
    assert next(out) == b"one" and consumed == [b"one"]


def test_a_known_member_that_is_not_what_was_announced_is_refused():
    writer = ZipWriter(MOMENT)
    with pytest.raises(ValueError, match="not the 4 bytes"):
        list(writer.add_known("x.csv", [b"abcde"], 0, 4))


@pytest.mark.parametrize("name", ["", "/etc/passwd", "../up.pdf", "a/../../b", "back\\slash"])
def test_unsafe_member_names_are_refused(name):
    with pytest.raises(ValueError, match="Unsafe"):
        ZipWriter(MOMENT).add_bytes(name, b"x")


def test_nothing_can_be_added_after_finish():
    writer = ZipWriter(MOMENT)
    list(writer.finish())
    with pytest.raises(ValueError, match="finished"):
        writer.add_bytes("late.txt", b"x")


def test_dos_time():
    assert dos_time(datetime(1980, 1, 1, 0, 0, 0)) == (0, (1 << 5) | 1)
    assert dos_time(datetime(1970, 6, 1)) == dos_time(datetime(1980, 6, 1))  # clamped
    time_, day = dos_time(MOMENT)
    assert (time_ >> 11, (time_ >> 5) & 63, (time_ & 31) * 2) == (14, 5, 30)
    assert ((day >> 9) + 1980, (day >> 5) & 15, day & 31) == (2026, 3, 4)


def test_deflated_members_have_classic_descriptors_and_no_zip64(tmp_path):
    """The XLSX worksheet: compressed as it passes, no ZIP64 fields (Excel dislikes them)."""
    writer = ZipWriter(MOMENT)
    text = b"<row><c>Zo\xc3\xab</c></row>" * 5000
    out = bytearray(writer.add_bytes("first.xml", b"<a/>"))
    for chunk in writer.add_deflated(
        "sheet.xml", (text[i : i + 999] for i in range(0, len(text), 999))
    ):
        out += chunk
    out += writer.add_bytes("last.xml", b"<b/>")
    for chunk in writer.finish():
        out += chunk
    data = bytes(out)
    assert writer.offset == len(data)
    assert b"PK\x06\x06" not in data  # no ZIP64 end record
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("sheet.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    assert info.flag_bits & 0x08
    assert info.extra == b""  # no ZIP64 extra field in the central directory
    assert info.compress_size < len(text) // 20
    assert archive.read("sheet.xml") == text
    assert archive.read("last.xml") == b"<b/>"
    local = 30 + len("first.xml") + len(b"<a/>")  # the second member's local header
    assert data[local : local + 4] == b"PK\x03\x04"
    version, _flags, method = struct.unpack("<HHH", data[local + 4 : local + 10])
    extra_length = struct.unpack("<H", data[local + 28 : local + 30])[0]
    assert (version, method, extra_length) == (20, 8, 0)
    assert "No errors detected" in unzip_test(data, tmp_path)


def test_coalesce_keeps_the_bytes_and_writes_fewer_larger_pieces():
    pieces = [bytes([i]) * 300 for i in range(10)]
    out = list(coalesce(iter(pieces), 1000))
    assert b"".join(out) == b"".join(pieces)
    assert [len(p) for p in out] == [1200, 1200, 600]  # 4 pieces reach 1000, then the rest


def test_closing_the_coalesced_stream_closes_the_archive_generator():
    closed = []

    def archive():
        try:
            yield b"a" * 10
            yield b"b" * 10
            yield b"c" * 10
        finally:
            closed.append(True)

    out = coalesce(archive(), 15)
    assert next(out) == b"a" * 10 + b"b" * 10
    out.close()  # the client went away mid-download
    assert closed == [True]
