"""Certificate content for renderer tests that need no database."""

from __future__ import annotations

import copy
import hashlib
import io
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfReader

from compliance_hub.certificates.pdf import CertificateDocument

EN_DASH = "\u2013"

SNAPSHOT: dict[str, Any] = {
    "template": "coi-v1",
    "partner": "ShiftWise Staffing, Inc.",
    "producer": {
        "name": "Harbor & Vale Insurance Brokers LLC",
        "address": ["220 Market Street, Suite 400", "Columbus, OH 43215"],
        "contact": "Renée Okafor",
        "phone": "+1 (614) 555-0142",
        "email": "certificates@harborvale.example",
    },
    "insurers": [
        {"letter": "A", "name": "Granite Mutual Insurance Company", "naic": "24512"},
        {"letter": "B", "name": "Northfield Casualty Co.", "naic": "10345"},
    ],
    "coverages": [
        {
            "kind": "general_liability",
            "label": "Commercial general liability",
            "insurer": "A",
            "policy_number": "GL-2026-0042871",
            "limits": [["Each occurrence", 1_000_000], ["General aggregate", 3_000_000]],
            "additional_insured": True,
            "subrogation_waived": True,
        },
        {
            "kind": "occupational_accident",
            "label": "Occupational accident",
            "insurer": "B",
            "policy_number": "OA-771203",
            "limits": [["Accidental death & dismemberment", 250_000]],
            "additional_insured": False,
            "subrogation_waived": False,
        },
    ],
    "insured": {"name": "José Nguyễn", "address": ["14 Elm Court", "Dublin, OH 43017"]},
    "holder": {
        "name": "St. Łukasz Memorial Hospital",
        "address": ["1 Main St", "Columbus, OH 43215"],
    },
    "assignment": {
        "external_id": "A-2026-000917",
        "effective_date": "2026-03-01",
        "end_date": "2026-03-05",
        "description": "Registered nurse, night shift, medical-surgical unit",
    },
}


def snapshot(**changes: Any) -> dict[str, Any]:
    """A deep copy of SNAPSHOT with top-level keys replaced or sub-keys merged."""
    return _merged(copy.deepcopy(SNAPSHOT), changes)


def _merged(result: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``result`` with top-level keys replaced or sub-keys merged from ``changes``."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key].update(value)
        else:
            result[key] = value
    return result


def document(snap: dict[str, Any] | None = None, **fields: Any) -> CertificateDocument:
    values: dict[str, Any] = {
        "number": "CH-7K3M-9QXP",
        "check_code": "4D9P2X7KQM",
        "issued_at": datetime(2026, 3, 1, 14, 5, tzinfo=UTC),
        "snapshot": snap if snap is not None else snapshot(),
        "verify_url": "https://hub.example.com/v/CH-7K3M-9QXP/4D9P2X7KQM/",
        "verify_form_url": "https://hub.example.com/verify/",
    }
    values.update(fields)
    return CertificateDocument(**values)


def text_of(data: bytes) -> str:
    """All text of a one-page PDF, as a reader extracts it (asserts one page)."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces (wrapped lines join up)."""
    return " ".join(text.split())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot_v2(**changes: Any) -> dict[str, Any]:
    """SNAPSHOT as ``program_snapshot`` states it since coi-v2: policy terms, occurrence and
    aggregate basis, a workers' compensation line, an authorized representative."""
    result = snapshot(template="coi-v2")
    general, accident = result["coverages"]
    general.update(
        policy_effective="2026-01-01",
        policy_expiry="2027-01-01",
        basis="Occurrence",
        aggregate_applies_per="Project",
    )
    accident.update(
        policy_effective="2025-07-01",
        policy_expiry="2026-07-01",
        basis="",
        aggregate_applies_per="",
    )
    result["insurers"].append({"letter": "C", "name": "Prairie Workers' Mutual", "naic": "29874"})
    result["coverages"].append(
        {
            "kind": "workers_compensation",
            "label": "Workers' compensation",
            "insurer": "C",
            "policy_number": "WC-55-1029",
            "limits": [],
            "additional_insured": False,
            "subrogation_waived": True,
            "policy_effective": "2026-02-15",
            "policy_expiry": "2027-02-15",
            "basis": "",
            "aggregate_applies_per": "",
            "workers_compensation": {
                "limits": "Per statute",
                "proprietor_excluded": False,
                "el_each_accident": 1_000_000,
                "el_disease_each_employee": 500_000,
                "el_disease_policy_limit": 2_000_000,
            },
        }
    )
    result["representative"] = {"name": "Zoë Ångström-Ruiz", "title": "Senior Account Executive"}
    return _merged(result, changes)
