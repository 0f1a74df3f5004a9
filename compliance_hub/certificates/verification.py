"""Public verification of a certificate by its number and check code.

Anyone holding a certificate can confirm it is genuine and see its status, without signing
in. The answer states no more than the certificate itself does: the staffing partner and the
producer who issued it, insured and holder names, coverage period, issue date, status, and
the SHA-256 of the issued PDF (and, for a certificate that is no longer valid, of the copy
stamped VOID or SUPERSEDED that the portal hands out). A certificate that states no coverage
is no proof of insurance, whatever its status.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from compliance_hub.certificates import copies, documents
from compliance_hub.certificates.models import Certificate
from compliance_hub.core.text import neutralise_bidi

log = logging.getLogger(__name__)

# Crockford base32 reading rules: look-alike letters are read as the digits they resemble.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_BODY = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")
_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{10}$")
# A code to compare against when the number is unknown, so both failures take as long.
_DUMMY_CODE = "0" * 10


def normalize_number(text: str) -> str | None:
    """``" ch 7k3m-9qxp "`` -> ``"CH-7K3M-9QXP"``; None if it cannot be a certificate number."""
    compact = _SEPARATORS.sub("", (text or "").upper())
    if not compact.startswith("CH"):
        return None
    body = compact[2:].translate(_LOOKALIKES)
    if not _BODY.match(body):
        return None
    return f"CH-{body[:4]}-{body[4:]}"


def normalize_code(text: str) -> str | None:
    """``"4d9p2-x7kqm"`` -> ``"4D9P2X7KQM"``; None if it cannot be a check code."""
    code = _SEPARATORS.sub("", (text or "").upper()).translate(_LOOKALIKES)
    return code if _CODE.match(code) else None


@dataclass(frozen=True)
class Verification:
    """What the public page shows about a genuine certificate."""

    number: str
    status: str  # Certificate.Status value
    issued_at: datetime
    partner_name: str
    producer_name: str
    states_coverage: bool
    insured_name: str
    holder_name: str
    effective_date: date
    end_date: date
    superseded_at: datetime | None
    superseded_by_number: str | None
    superseded_by_issued_at: datetime | None
    voided_at: datetime | None
    sha256: str | None  # None only if the PDF could not be rendered just now
    # The SHA-256 of the copy stamped VOID/SUPERSEDED that the portal hands out for a
    # certificate no longer valid (``certificates.copies``); None for a current one.
    stamped_sha256: str | None = None

    @property
    def is_current(self) -> bool:
        return self.status == Certificate.Status.ISSUED

    @property
    def is_superseded(self) -> bool:
        return self.status == Certificate.Status.SUPERSEDED

    @property
    def is_void(self) -> bool:
        return self.status == Certificate.Status.VOID


def find(number: str, code: str) -> Certificate | None:
    """The certificate with this number whose check code matches, else None.

    An unknown number and a wrong code are indistinguishable to the caller.
    """
    canonical_number = normalize_number(number)
    canonical_code = normalize_code(code)
    if canonical_number is None or canonical_code is None:
        return None
    certificate = (
        Certificate.objects.filter(number=canonical_number).select_related("superseded_by").first()
    )
    expected = certificate.check_code if certificate is not None else _DUMMY_CODE
    if not hmac.compare_digest(expected.encode(), canonical_code.encode()):
        return None
    return certificate


def verify(number: str, code: str) -> Verification | None:
    """Check a number and code as printed on a certificate; None if not genuine."""
    certificate = find(number, code)
    if certificate is None:
        return None
    sha256: str | None
    try:
        sha256 = documents.ensure_rendered(certificate).sha256
    except Exception:
        log.exception("Could not render certificate %s for verification", certificate.number)
        sha256 = None
    stamped: str | None = None
    if sha256 and copies.is_stamped(certificate):
        try:
            stamped = copies.stamped_sha256(certificate)
        except Exception:
            log.exception("Could not stamp certificate %s for verification", certificate.number)
    successor = _successor(certificate)
    snap = certificate.snapshot
    return Verification(
        number=certificate.number,
        status=certificate.status,
        issued_at=certificate.issued_at,
        partner_name=neutralise_bidi(snap.get("partner", "")),
        producer_name=neutralise_bidi(snap.get("producer", {}).get("name", "")),
        states_coverage=bool(snap.get("coverages")),
        insured_name=neutralise_bidi(snap["insured"]["name"]),
        holder_name=neutralise_bidi(snap["holder"]["name"]),
        effective_date=date.fromisoformat(snap["assignment"]["effective_date"]),
        end_date=date.fromisoformat(snap["assignment"]["end_date"]),
        superseded_at=certificate.superseded_at,
        superseded_by_number=successor.number if successor else None,
        superseded_by_issued_at=successor.issued_at if successor else None,
        voided_at=certificate.voided_at,
        sha256=sha256 or None,
        stamped_sha256=stamped,
    )


def _successor(certificate: Certificate) -> Certificate | None:
    try:
        return certificate.superseded_by
    except Certificate.DoesNotExist:
        return None
