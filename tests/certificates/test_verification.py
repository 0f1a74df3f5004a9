"""Checking a certificate number and code as printed: the service behind the public page."""

import hashlib
from datetime import date

import pytest

from compliance_hub.certificates import documents, services, verification
from compliance_hub.certificates.models import Certificate
from tests import factories


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CH-7K3M-9QXP", "CH-7K3M-9QXP"),
        (" ch 7k3m 9qxp ", "CH-7K3M-9QXP"),
        ("CH7K3M9QXP", "CH-7K3M-9QXP"),
        ("CH-7K3M-9QXO", "CH-7K3M-9QX0"),  # O read as zero
        ("CH-IK3M-9QXL", "CH-1K3M-9QX1"),  # I and L read as one
        ("CH-7K3M-9QX", None),
        ("XX-7K3M-9QXP", None),
        ("CH-7K3M-9QXU", None),  # U is not in the alphabet
        ("", None),
    ],
)
def test_normalize_number(typed, expected):
    assert verification.normalize_number(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4D9P2X7KQM", "4D9P2X7KQM"),
        ("4d9p2-x7kqm", "4D9P2X7KQM"),
        ("4D9P2 X7KQO", "4D9P2X7KQ0"),
        ("4D9P2X7KQ", None),
        ("4D9P2X7KQM1", None),
    ],
)
def test_normalize_code(typed, expected):
    assert verification.normalize_code(typed) == expected


@pytest.fixture
def certificate(media, facility):
    contractor = factories.contractor(facility.partner, first="Zoë", last="Nguyễn")
    assignment = factories.assignment(
        facility, contractor, effective=date(2026, 5, 4), end=date(2026, 5, 8)
    )
    assignment.refresh_from_db()
    return assignment.current_certificate


@pytest.mark.django_db
def test_a_genuine_certificate_is_verified_with_what_it_states(certificate, facility):
    result = verification.verify(certificate.number, certificate.check_code)
    assert result is not None and result.is_current
    assert result.insured_name == "Zoë Nguyễn"
    assert result.holder_name == facility.name
    assert (result.effective_date, result.end_date) == (date(2026, 5, 4), date(2026, 5, 8))
    stored = Certificate.objects.get(pk=certificate.pk)  # rendered to publish its hash
    assert stored.rendered_at is not None
    assert result.sha256 == hashlib.sha256(documents.read_pdf(stored)).hexdigest()


@pytest.mark.django_db
def test_typed_variants_of_number_and_code_are_accepted(certificate):
    number = certificate.number.lower().replace("-", " ")
    code = f"{certificate.check_code[:5]}-{certificate.check_code[5:]}".lower()
    assert verification.verify(number, code) is not None


@pytest.mark.django_db
def test_a_wrong_code_or_unknown_number_is_not_verified(certificate, facility):
    other = factories.assignment(facility)
    other.refresh_from_db()
    assert verification.verify(certificate.number, other.current_certificate.check_code) is None
    assert verification.verify("CH-0000-0000", certificate.check_code) is None
    assert verification.verify(certificate.number, "0000000000") is None
    assert verification.verify("nonsense", "also nonsense") is None


@pytest.mark.django_db
def test_superseded_and_void_statuses_name_the_successor_and_times(certificate, facility):
    assignment = certificate.assignment
    services.save_assignment(
        partner=facility.partner,
        external_id=assignment.external_id,
        facility=facility,
        contractor=assignment.contractor,
        effective_date=date(2026, 5, 4),
        end_date=date(2026, 5, 9),
        description=assignment.description,
    )
    assignment.refresh_from_db()
    successor = assignment.current_certificate
    old = verification.verify(certificate.number, certificate.check_code)
    assert old is not None and old.is_superseded
    assert old.superseded_by_number == successor.number
    assert old.superseded_at is not None and old.superseded_by_issued_at == successor.issued_at

    services.cancel_assignment(assignment)
    void = verification.verify(successor.number, successor.check_code)
    assert void is not None and void.is_void and void.voided_at is not None
    assert void.end_date == date(2026, 5, 9)
