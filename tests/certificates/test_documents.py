"""Rendering once, storing, and serving certificate PDFs unchanged forever."""

import hashlib
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from compliance_hub.certificates import documents, services
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.pdf import UnknownTemplate, coi_v2
from compliance_hub.facilities.models import CoverageLine
from tests import factories
from tests.certificates.samples import EN_DASH, flat, text_of
from tests.certificates.storages import stored_files

pytestmark = pytest.mark.django_db


def current(assignment) -> Certificate:
    assignment.refresh_from_db()
    return assignment.current_certificate


def test_a_certificate_is_issued_unrendered_and_rendered_once_with_its_hash(media, facility):
    certificate = current(factories.assignment(facility))
    assert certificate.rendered_at is None and not certificate.pdf

    rendered = documents.ensure_rendered(certificate)
    files = stored_files(media)
    assert files == [rendered.pdf.name]
    data = (media / rendered.pdf.name).read_bytes()
    assert rendered.sha256 == hashlib.sha256(data).hexdigest()
    assert rendered.size == len(data)
    row = Certificate.objects.get(pk=certificate.pk)
    assert (row.pdf.name, row.sha256, row.size) == (rendered.pdf.name, rendered.sha256, len(data))

    again = documents.ensure_rendered(Certificate.objects.get(pk=certificate.pk))
    assert (again.pdf.name, again.rendered_at) == (rendered.pdf.name, rendered.rendered_at)
    assert stored_files(media) == files


def test_the_stored_pdf_states_the_assignment(media, facility):
    contractor = factories.contractor(facility.partner, first="Zoë", last="Ó Súilleabháin")
    assignment = factories.assignment(
        facility,
        contractor,
        effective=date(2026, 4, 2),
        end=date(2026, 4, 9),
        description="Forklift operator, inbound dock",
    )
    certificate = current(assignment)
    text = flat(text_of(documents.read_pdf(certificate)))
    assert "Zoë Ó Súilleabháin" in text
    assert facility.name in text
    assert "04/02/2026" in text and "04/09/2026" in text
    assert "Forklift operator, inbound dock" in text
    policy = CoverageLine.objects.get(partner=facility.partner).policy_number
    assert policy in text
    assert f"testserver/v/{certificate.number}/{certificate.check_code}" in text


def test_open_pdf_serves_the_stored_bytes_even_after_the_template_changes(
    media, facility, monkeypatch
):
    certificate = documents.ensure_rendered(current(factories.assignment(facility)))
    original = (media / certificate.pdf.name).read_bytes()
    monkeypatch.setattr(coi_v2, "render", lambda document: b"%PDF-1.7 a new design")

    assert documents.open_pdf(certificate).read() == original
    assert documents.open_pdf(Certificate.objects.get(pk=certificate.pk)).read() == original
    # the patched template is live: a certificate rendered now gets it
    fresh = current(factories.assignment(facility))
    assert documents.open_pdf(fresh).read() == b"%PDF-1.7 a new design"


def test_a_stored_file_that_was_altered_is_not_served(media, facility):
    certificate = documents.ensure_rendered(current(factories.assignment(facility)))
    (media / certificate.pdf.name).write_bytes(b"%PDF-1.4 forged")
    with pytest.raises(documents.CertificateIntegrityError):
        documents.open_pdf(certificate)


def test_when_storage_fails_nothing_is_recorded_as_rendered(settings, tmp_path, facility):
    certificate = current(factories.assignment(facility))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.certificates.storages.FailingStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with pytest.raises(OSError):
        documents.ensure_rendered(certificate)
    row = Certificate.objects.get(pk=certificate.pk)
    assert (row.rendered_at, row.sha256, row.size, row.pdf.name) == (None, "", None, "")

    failed: set[int] = set()
    assert documents.render_pending(failed=failed) == 0
    assert failed == {certificate.pk}
    assert Certificate.objects.get(pk=certificate.pk).rendered_at is None
    assert stored_files(tmp_path) == []


def test_if_recording_fails_the_stored_files_are_removed(media, facility, monkeypatch):
    for _ in range(3):
        factories.assignment(facility)

    def broken(certificates):
        raise IntegrityError("simulated")

    monkeypatch.setattr(documents, "_record_rendered", broken)
    with pytest.raises(IntegrityError):
        documents.render_pending()
    assert stored_files(media) == []
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()


def test_a_later_program_change_does_not_change_an_issued_certificate(media, facility):
    assignment = factories.assignment(facility, effective=date(2026, 3, 1))
    issued = current(assignment)
    line = CoverageLine.objects.get(partner=facility.partner)
    old_policy = line.policy_number
    # the program changes before the PDF was ever rendered...
    line.policy_number = "GL-2027-NEW"
    line.limits = [["Each occurrence", 2_000_000]]
    line.save()
    issued.refresh_from_db()
    assert issued.snapshot["coverages"][0]["policy_number"] == old_policy
    data = documents.read_pdf(issued)
    text = flat(text_of(data))
    assert old_policy in text and "$1,000,000" in text
    assert "GL-2027-NEW" not in text
    # ...and again after: the stored file and snapshot stay as issued
    line.policy_number = "GL-2028-NEWER"
    line.save()
    assert documents.read_pdf(Certificate.objects.get(pk=issued.pk)) == data

    # a new certificate (the assignment changed) states the program now in force
    services.save_assignment(
        partner=facility.partner,
        external_id=assignment.external_id,
        facility=facility,
        contractor=assignment.contractor,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 2),
        description=assignment.description,
    )
    newer = current(assignment)
    assert newer.pk != issued.pk
    text = flat(text_of(documents.read_pdf(newer)))
    assert "GL-2028-NEWER" in text and old_policy not in text


def test_superseded_and_void_certificates_stay_available_by_number(media, facility):
    assignment = factories.assignment(facility, effective=date(2026, 3, 1), end=date(2026, 3, 1))
    first = current(assignment)
    services.save_assignment(
        partner=facility.partner,
        external_id=assignment.external_id,
        facility=facility,
        contractor=assignment.contractor,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 3),
        description=assignment.description,
    )
    second = current(assignment)
    services.cancel_assignment(assignment)

    first = Certificate.objects.get(number=first.number)
    second = Certificate.objects.get(number=second.number)
    assert first.status == Certificate.Status.SUPERSEDED and first.superseded_by == second
    assert second.status == Certificate.Status.VOID and second.voided_at is not None
    # both render on request (never rendered before) and state their own period
    first_text = flat(text_of(documents.open_pdf(first).read()))
    second_text = flat(text_of(documents.open_pdf(second).read()))
    assert f"03/01/2026 {EN_DASH} 03/01/2026" in first_text and "03/03/2026" not in first_text
    assert f"03/01/2026 {EN_DASH} 03/03/2026" in second_text
    assert first.number in first_text and second.number in second_text


def test_render_pending_renders_what_is_missing_and_skips_failures(
    media, facility, monkeypatch, caplog
):
    certificates = [current(factories.assignment(facility)) for _ in range(5)]
    bad = certificates[2]
    real = documents.render_pdf

    def flaky(certificate):
        if certificate.pk == bad.pk:
            raise RuntimeError("template bug")
        return real(certificate)

    monkeypatch.setattr(documents, "render_pdf", flaky)
    monkeypatch.setattr(documents, "RENDER_CHUNK", 2)  # several transactions
    failed: set[int] = set()
    assert documents.render_pending(100, failed=failed) == 4
    assert failed == {bad.pk}
    assert bad.number in caplog.text
    assert documents.render_pending(100, skip=failed) == 0
    monkeypatch.setattr(documents, "render_pdf", real)
    assert documents.render_pending(100) == 1
    assert not Certificate.objects.filter(rendered_at__isnull=True).exists()
    assert len(stored_files(media)) == 5


def test_render_pending_stops_at_the_limit(media, facility):
    for _ in range(3):
        factories.assignment(facility)
    assert documents.render_pending(2) == 2
    assert documents.render_pending(2) == 1
    assert documents.render_pending(2) == 0


def test_a_certificate_of_an_unknown_template_is_not_recorded(media, facility):
    certificate = current(factories.assignment(facility))
    Certificate.objects.filter(pk=certificate.pk).update(template_version="coi-v9")
    with pytest.raises(UnknownTemplate):
        documents.ensure_rendered(Certificate.objects.get(pk=certificate.pk))
    assert Certificate.objects.get(pk=certificate.pk).rendered_at is None
    assert stored_files(media) == []


def test_the_database_refuses_a_rendered_certificate_without_hash(facility):
    certificate = current(factories.assignment(facility))
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(rendered_at=certificate.issued_at)


def test_pdf_filename_is_ascii_and_meaningful(facility):
    contractor = factories.contractor(facility.partner, first="Zoë", last="Nguyễn")
    certificate = current(
        factories.assignment(facility, contractor, effective=date(2026, 3, 1), end=date(2026, 3, 5))
    )
    assert documents.pdf_filename(certificate) == (
        f"COI_zoe-nguyen_2026-03-01_2026-03-05_{certificate.number}.pdf"
    )
