"""A new template or a code change never alters a certificate issued under an older template."""

import hashlib
import sys
import types
import zlib

import pytest

from compliance_hub.certificates import documents, issuance, pdf
from compliance_hub.certificates.models import Certificate
from tests import factories
from tests.certificates.samples import document, flat, text_of

# SHA-256 of the sample certificate (tests/certificates/samples.py) rendered as coi-v1 with
# fpdf2 2.8.9 and zlib 1.2.13. Certificates issued as coi-v1 but not rendered yet are rendered
# by today's code: if this test fails, a change to coi_v1/ or to the shared helpers (layout,
# fonts, producer, sfnt, qr) or a library upgrade changed what v1 draws. Give the new output
# its own template version instead (see docs/certificates.md) — do not update the hash unless
# the difference comes only from a library upgrade that you have checked.
COI_V1_SAMPLE_SHA256 = "11c0b5e0505376148e400069ebfd4ad28e54bbc9f726ca916b69c9c4f0103c50"


def test_coi_v1_still_draws_exactly_what_it_drew_when_it_was_frozen():
    data = pdf.render("coi-v1", document())
    assert hashlib.sha256(data).hexdigest() == COI_V1_SAMPLE_SHA256, (
        f"coi-v1 output changed (zlib {zlib.ZLIB_RUNTIME_VERSION}); see the comment above"
    )


@pytest.mark.django_db
def test_certificates_are_issued_as_coi_v2_and_rendered_by_it(media, facility):
    assignment = factories.assignment(facility)
    assignment.refresh_from_db()
    certificate = assignment.current_certificate
    assert certificate.template_version == "coi-v2"
    text = flat(text_of(documents.read_pdf(certificate)))
    assert "form coi-v2" in text and "COVERAGE PERIOD OF THIS ASSIGNMENT" in text


@pytest.mark.django_db
def test_a_certificate_issued_as_coi_v1_is_still_rendered_by_coi_v1(media, facility):
    assignment = factories.assignment(facility)
    assignment.refresh_from_db()
    certificate = assignment.current_certificate
    Certificate.objects.filter(pk=certificate.pk).update(template_version="coi-v1")
    text = flat(text_of(documents.read_pdf(Certificate.objects.get(pk=certificate.pk))))
    assert "form coi-v1" in text and "ASSIGNMENT PERIOD" in text
    assert "COVERAGE PERIOD OF THIS ASSIGNMENT" not in text


@pytest.mark.django_db
def test_a_new_template_applies_only_to_certificates_issued_after_it(media, facility, monkeypatch):
    before = factories.assignment(facility)
    before.refresh_from_db()
    issued_before = before.current_certificate
    current = issued_before.template_version
    assert issued_before.rendered_at is None  # not rendered yet when the new design ships

    def coi_next(doc: pdf.CertificateDocument) -> bytes:
        return f"%PDF-1.7 new design for {doc.number}".encode()

    module = types.ModuleType("fake_coi_next")
    module.render = coi_next
    monkeypatch.setitem(pdf.RENDERERS, "coi-next", "fake_coi_next")
    monkeypatch.setitem(sys.modules, "fake_coi_next", module)
    monkeypatch.setattr(issuance, "TEMPLATE_VERSION", "coi-next")

    after = factories.assignment(facility)
    after.refresh_from_db()
    issued_after = after.current_certificate
    assert issued_after.template_version == "coi-next"

    old = documents.read_pdf(Certificate.objects.get(pk=issued_before.pk))
    assert old.startswith(b"%PDF-") and b"new design" not in old
    text = flat(text_of(old))
    assert issued_before.number in text and f"form {current}" in text  # its own template
    assert (
        documents.read_pdf(issued_after)
        == f"%PDF-1.7 new design for {issued_after.number}".encode()
    )
