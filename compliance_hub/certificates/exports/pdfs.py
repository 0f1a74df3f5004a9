"""Certificate PDFs for the exports: rendering what is pending (every export: ZIP, CSV, XLSX)
and reading stored files for the bulk ZIP, checked against their hash before use."""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple, TypeVar

from django.core.files.storage import default_storage

from compliance_hub.certificates import documents
from compliance_hub.certificates.documents import CertificateIntegrityError
from compliance_hub.certificates.models import Certificate
from compliance_hub.core import replica

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Rows an export reads before it renders their pending certificates: the PDFs are stored as
# they are made (``documents.render_pending``), so memory holds one small batch at a time.
RENDER_BATCH = 500
T = TypeVar("T")


class Stored(NamedTuple):
    """A rendered certificate's stored file."""

    name: str
    sha256: str
    size: int


def batches(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """``items`` in lists of up to ``size`` (``RENDER_BATCH``), read as they are needed."""
    iterator = iter(items)
    while batch := list(islice(iterator, size or RENDER_BATCH)):
        yield batch


def render_missing(certificate_ids: Iterable[int]) -> dict[int, Stored]:
    """Render and store the PDFs of these certificates that have none yet; for each of them
    rendered now (or by another process meanwhile) its stored file, by id.

    The one way every export renders what is pending, so that no listed certificate lacks
    its file or SHA-256: ``documents.render_pending`` in its small transactions; a
    certificate whose row another process holds (rendering it this moment) is waited for
    (``documents.ensure_rendered``). One that cannot be rendered is logged and left out.
    """
    ids = list(dict.fromkeys(certificate_ids))
    if not ids:
        return {}
    # What was just rendered is read back from the primary (a replica may not have it yet).
    with replica.primary_reads():
        return _render_missing(ids)


def _render_missing(ids: list[int]) -> dict[int, Stored]:
    among = Certificate.objects.filter(pk__in=ids)
    failed: set[int] = set()
    documents.render_pending(limit=len(ids), among=among, failed=failed)
    done = {
        pk: Stored(str(name), sha256, size or 0)
        for pk, name, sha256, size in among.filter(rendered_at__isnull=False).values_list(
            "pk", "pdf", "sha256", "size"
        )
    }
    for pk in ids:
        if pk in done or pk in failed:
            continue
        try:
            certificate = documents.ensure_rendered(Certificate.objects.get(pk=pk))
        except Exception:
            log.exception("Export: certificate %s could not be rendered", pk)
            continue
        done[pk] = Stored(str(certificate.pdf.name), certificate.sha256, certificate.size or 0)
    return done


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
