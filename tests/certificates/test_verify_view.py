"""The public verification pages: /v/<number>/<code>/ and the /verify/ form."""

import hashlib
import re
from datetime import date
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.certificates import documents, services
from compliance_hub.certificates.models import Certificate
from tests import factories
from tests.certificates.samples import EN_DASH

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(media, facility):
    contractor = factories.contractor(
        facility.partner,
        first="Zoë",
        last="Nguyễn",
        address_line1="14 Elm Court",
        city="Dublin",
        region="OH",
        postal_code="43017",
    )
    a = factories.assignment(facility, contractor, effective=date(2026, 5, 4), end=date(2026, 5, 8))
    a.refresh_from_db()
    return a


def url(certificate: Certificate) -> str:
    return reverse("certificates:verify", args=[certificate.number, certificate.check_code])


def page_text(response) -> str:
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_current_certificate_is_confirmed_without_signing_in(client, assignment, facility):
    certificate = assignment.current_certificate
    response = client.get(url(certificate))
    assert response.status_code == 200
    text = page_text(response)
    assert "Genuine and current" in text
    assert "Zoë Nguyễn" in text and facility.name in text
    assert f"May 4, 2026 {EN_DASH} May 8, 2026" in text
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.sha256 == hashlib.sha256(documents.read_pdf(stored)).hexdigest()
    assert stored.sha256 in text
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_page_reveals_nothing_beyond_what_the_certificate_states(client, assignment, facility):
    certificate = assignment.current_certificate
    text = page_text(client.get(url(certificate)))
    for hidden in [
        "14 Elm Court",  # insured address
        facility.address_line1,  # holder address
        certificate.snapshot["coverages"][0]["policy_number"],
        "1,000,000",  # limits
        certificate.snapshot["insured"].get("external_id") or "C-",
        assignment.external_id,
        assignment.description,
    ]:
        assert hidden not in text, hidden


def test_the_page_names_the_partner_and_producer_the_certificate_states(client, assignment):
    """So that a holder name made to look like the hub cannot borrow its credibility."""
    certificate = assignment.current_certificate
    partner = assignment.partner
    stated = (partner.name, partner.producer_name)
    partner.name, partner.producer_name = "Renamed Staffing", "Other Brokers"
    partner.save()
    text = page_text(client.get(url(certificate)))
    assert f"Issued by (staffing partner) {stated[0]}" in text
    assert f"Producer (insurance broker) {stated[1]}" in text
    assert f"issued through Compliance Hub by {stated[0]}" in text
    assert "Renamed Staffing" not in text and "Other Brokers" not in text


STATES = {
    "issued": {},
    "superseded": {"superseded_at": timezone.now()},
    "void": {"voided_at": timezone.now()},
}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    status=st.sampled_from(sorted(STATES)),
    coverages=st.booleans(),
    holder=st.sampled_from(
        ["Compliance Hub Verified", "Genuine and current", "St. Mary's", "Verified ✓ Insured"]
    ),
)
def test_a_certificate_stating_no_coverage_never_verifies_as_genuine(
    client, assignment, status, coverages, holder
):
    cache.clear()  # the per-address rate limit
    certificate = assignment.current_certificate
    snapshot = {
        **certificate.snapshot,
        "coverages": certificate.snapshot["coverages"] if coverages else [],
        "holder": {**certificate.snapshot["holder"], "name": holder},
    }
    Certificate.objects.filter(pk=certificate.pk).update(
        snapshot=snapshot, status=status, **STATES[status]
    )
    text = page_text(client.get(url(certificate)))
    verdict = text.split("Status", 1)[0]  # the heading and the message above the facts
    assert ("Genuine" in verdict) == coverages
    assert ("Not valid proof of insurance" in text) == (not coverages)
    assert f"Issued by (staffing partner) {snapshot['partner']}" in text
    assert f"Producer (insurance broker) {snapshot['producer']['name']}" in text


def test_a_superseded_certificate_names_its_successor(client, assignment, facility):
    first = assignment.current_certificate
    services.save_assignment(
        partner=facility.partner,
        external_id=assignment.external_id,
        facility=facility,
        contractor=assignment.contractor,
        effective_date=date(2026, 5, 4),
        end_date=date(2026, 5, 12),
        description=assignment.description,
    )
    assignment.refresh_from_db()
    successor = assignment.current_certificate
    response = client.get(url(first))
    assert response.status_code == 200
    text = page_text(response)
    assert "Genuine, but superseded" in text
    assert successor.number in text
    assert successor.check_code not in text  # no way into the newer certificate's page
    assert f"May 4, 2026 {EN_DASH} May 8, 2026" in text  # it still states its own period
    assert "Genuine and current" in page_text(client.get(url(successor)))


def test_a_void_certificate_says_so_and_when(client, assignment):
    certificate = assignment.current_certificate
    services.cancel_assignment(assignment)
    text = page_text(client.get(url(certificate)))
    assert "Genuine, but void" in text
    voided = Certificate.objects.get(pk=certificate.pk).voided_at
    assert voided.strftime("%b") in text and str(voided.year) in text


def test_forged_numbers_and_codes_get_the_same_not_verified_page(client, assignment, facility):
    certificate = assignment.current_certificate
    other = factories.assignment(facility)
    other.refresh_from_db()
    attempts = [
        (certificate.number, "0000000000"),  # wrong code
        ("CH-0000-0000", certificate.check_code),  # unknown number
        (certificate.number, other.current_certificate.check_code),  # another's code
        ("CH-NOPE-NOPE", "not-a-code"),  # malformed
    ]
    bodies = set()
    for number, code in attempts:
        response = client.get(reverse("certificates:verify", args=[number, code]))
        assert response.status_code == 404
        assert response["Cache-Control"] == "no-store"
        text = page_text(response)
        assert "This certificate could not be verified" in text
        assert certificate.number not in text and "Zoë" not in text
        bodies.add(re.sub(r'value="[^"]*"', "", response.content.decode()))
    assert len(bodies) == 1  # nothing tells which part was wrong


def test_lower_case_or_grouped_input_redirects_to_the_canonical_address(client, assignment):
    certificate = assignment.current_certificate
    code = f"{certificate.check_code[:5]}-{certificate.check_code[5:]}".lower()
    response = client.get(reverse("certificates:verify", args=[certificate.number.lower(), code]))
    assert response.status_code == 302
    assert response["Location"] == url(certificate)


def test_too_many_checks_from_one_address_are_refused(client, settings, assignment):
    settings.VERIFY_RATE_PER_MINUTE = 3
    certificate = assignment.current_certificate
    for _ in range(3):
        assert client.get(url(certificate)).status_code == 200
    limited = client.get(url(certificate))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Too many checks" in page_text(limited)
    assert limited["Cache-Control"] == "no-store"
    # forged attempts count too, and another client address is not affected
    assert (
        client.get(reverse("certificates:verify", args=["CH-0000-0000", "0" * 10])).status_code
        == 429
    )
    other = client.get(url(certificate), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_the_hourly_limit_applies_as_well(client, settings, assignment):
    settings.VERIFY_RATE_PER_HOUR = 2
    certificate = assignment.current_certificate
    assert client.get(url(certificate)).status_code == 200
    assert client.get(url(certificate)).status_code == 200
    assert client.get(url(certificate)).status_code == 429


def test_the_form_takes_number_and_code_as_printed(client, assignment):
    certificate = assignment.current_certificate
    response = client.get(reverse("certificates:verify_form"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_number"' in html and 'for="id_code"' in html
    printed_code = f"{certificate.check_code[:5]}-{certificate.check_code[5:]}"
    response = client.get(
        reverse("certificates:verify_form"), {"number": certificate.number, "code": printed_code}
    )
    assert response.status_code == 302 and response["Location"] == url(certificate)
    assert client.get(response["Location"]).status_code == 200


def test_the_form_explains_malformed_input(client):
    response = client.get(reverse("certificates:verify_form"), {"number": "12345", "code": "abc"})
    assert response.status_code == 200
    text = page_text(response)
    assert "This is not a certificate number" in text
    assert "A verification code has 10 letters and digits" in text
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_file_check_script_is_static_and_progressive(client, assignment):
    response = client.get(url(assignment.current_certificate))
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert re.search(r'<script src="[^"]*certificates/verify\.js" defer></script>', html)
    assert "<script>" not in html and "style=" not in html
    assert 'class="verify-compare"' in html and " hidden>" in html  # shown only by the script
    assert "shasum -a 256" in html  # the no-JavaScript way
    assert finders.find("certificates/verify.js")


def test_only_get_is_allowed(client, assignment):
    assert client.post(url(assignment.current_certificate)).status_code == 405
