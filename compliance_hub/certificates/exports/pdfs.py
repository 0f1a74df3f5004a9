"""Reading stored certificate PDFs for the bulk ZIP: checked against their hash before use."""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Iterator

from django.core.files.storage import default_storage

from compliance_hub.certificates.documents import CertificateIntegrityError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


def stored_chunks(name: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The stored file ``name`` in chunks, read from storage as they are needed."""
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def _refuse(name: str) -> CertificateIntegrityError:
    log.error("Stored PDF %s does not match its recorded SHA-256", name)
    return CertificateIntegrityError(f"{name}: the stored file does not match its SHA-256.")


def verified_crc32(name: str, sha256: str) -> int:
    """The CRC-32 of the stored file, read once in chunks, after its SHA-256 is confirmed."""
    digest = hashlib.sha256()
    crc = 0
    for chunk in stored_chunks(name):
        digest.update(chunk)
        crc = zlib.crc32(chunk, crc)
    if digest.hexdigest() != sha256:
        raise _refuse(name)
    return crc


def read_verified(name: str, sha256: str) -> bytes:
    """The whole stored file, once its SHA-256 is confirmed (for files known to be small)."""
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _refuse(name)
    return data
