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
def test_a_new_template_applies_only_to_certificates_issued_after_it(media, facility, monkeypatch):
    before = factories.assignment(facility)
    before.refresh_from_db()
    issued_as_v1 = before.current_certificate
    assert issued_as_v1.rendered_at is None  # not rendered yet when the new design ships

    def coi_v2(doc: pdf.CertificateDocument) -> bytes:
        return f"%PDF-1.7 new design for {doc.number}".encode()

    module = types.ModuleType("fake_coi_v2")
    module.render = coi_v2
    monkeypatch.setitem(pdf.RENDERERS, "coi-v2", "fake_coi_v2")
    monkeypatch.setitem(sys.modules, "fake_coi_v2", module)
    monkeypatch.setattr(issuance, "TEMPLATE_VERSION", "coi-v2")

    after = factories.assignment(facility)
    after.refresh_from_db()
    issued_as_v2 = after.current_certificate
    assert issued_as_v2.template_version == "coi-v2"

    old = documents.read_pdf(Certificate.objects.get(pk=issued_as_v1.pk))
    assert old.startswith(b"%PDF-") and b"new design" not in old
    assert issued_as_v1.number in flat(text_of(old))  # rendered by coi-v1
    assert (
        documents.read_pdf(issued_as_v2)
        == f"%PDF-1.7 new design for {issued_as_v2.number}".encode()
    )
