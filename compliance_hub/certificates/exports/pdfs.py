"""Reading stored certificate PDFs for the bulk ZIP: in chunks, checked against their hash."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

from django.core.files.storage import default_storage

from compliance_hub.certificates.documents import CertificateIntegrityError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


def stored_chunks(name: str, sha256: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The stored file ``name`` in chunks, read from storage as they are needed.

    After the last chunk the bytes' SHA-256 is compared with the one recorded at issue;
    a mismatch raises ``CertificateIntegrityError`` (the caller must not have passed the
    bytes on yet, or must abandon what it was building).
    """
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != sha256:
        log.error("Stored PDF %s does not match its recorded SHA-256", name)
        raise CertificateIntegrityError(f"{name}: the stored file does not match its SHA-256.")


def read_verified(name: str, sha256: str) -> bytes:
    """The whole stored file, once its SHA-256 is confirmed (one certificate: tens of KiB).

    One read call for the whole file: the caller only uses this for files it knows are small.
    """
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        log.error("Stored PDF %s does not match its recorded SHA-256", name)
        raise CertificateIntegrityError(f"{name}: the stored file does not match its SHA-256.")
    return data
