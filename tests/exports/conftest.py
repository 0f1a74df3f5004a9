"""A facility with bulk download enabled, a member, and rows that make filters easy to check."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest

from compliance_hub.accounts.models import Person
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Assignment
from compliance_hub.facilities.models import Facility
from tests import factories


@dataclass
class Site:
    """``facility`` (bulk download on; ``person`` is a member), its rows by label, and
    ``other``: a facility of the same partner with its own rows, where ``person`` is not."""

    facility: Facility
    other: Facility
    person: Person
    rows: dict[str, Assignment]
    foreign: Assignment


def book(facility, contractor, effective, end, description="Night shift"):
    return services.save_assignment(
        partner=facility.partner,
        external_id=f"A-{factories.n()}",
        facility=facility,
        contractor=contractor,
        effective_date=effective,
        end_date=end,
        description=description,
    ).assignment


@pytest.fixture
def media(settings, tmp_path):
    """Certificate files go to a fresh local directory for this test."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def site(db, media) -> Site:
    """Rows at "Riverside Care Home" (dates inclusive):

    R1 José García        2025-01-01 .. 2025-01-01
    R2 Bob Stone          2025-01-01 .. 2025-01-10
    R3 Zoë O'Neil         2025-01-15 .. 2025-02-15
    R4 José García        2025-02-01 .. 2025-02-01   (same contractor, second row)
    R5 Dana Smith-Jones   2025-03-01 .. 2025-03-31   (cancelled: certificate void)

    plus José García at "Hillside Hospital" (same partner), 2025-01-01, never exported.
    """
    partner = factories.partner(name="Shiftwise Staffing", support_email="help@shiftwise.example")
    facility = factories.facility(partner, name="Riverside Care Home", bulk_download_enabled=True)
    other = factories.facility(partner, name="Hillside Hospital", bulk_download_enabled=True)
    jose = factories.contractor(partner, "José", "García")
    bob = factories.contractor(partner, "Bob", "Stone")
    zoe = factories.contractor(partner, "Zoë", "O'Neil")
    dana = factories.contractor(partner, "Dana", "Smith-Jones")
    rows = {
        "R1": book(facility, jose, date(2025, 1, 1), date(2025, 1, 1)),
        "R2": book(facility, bob, date(2025, 1, 1), date(2025, 1, 10), "Porter, day shift"),
        "R3": book(facility, zoe, date(2025, 1, 15), date(2025, 2, 15)),
        "R4": book(facility, jose, date(2025, 2, 1), date(2025, 2, 1)),
        "R5": book(facility, dana, date(2025, 3, 1), date(2025, 3, 31)),
    }
    services.cancel_assignment(rows["R5"])
    for label, row in rows.items():
        row.refresh_from_db()
        rows[label] = row
    foreign = book(other, jose, date(2025, 1, 1), date(2025, 1, 1))
    person = factories.member(facility)
    return Site(facility=facility, other=other, person=person, rows=rows, foreign=foreign)


def body(response) -> bytes:
    assert response.streaming, "exports must be streamed"
    return b"".join(response.streaming_content)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark first (for Excel)"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def open_zip(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive
