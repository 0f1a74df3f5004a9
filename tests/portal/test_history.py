"""An assignment's certificate history: every certificate, what superseded it, voids."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance_hub.certificates import services
from compliance_hub.certificates.models import Certificate
from compliance_hub.facilities.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db


def history_url(facility_id, assignment_id) -> str:
    return reverse(
        "certificates:history", kwargs={"facility_id": facility_id, "assignment_id": assignment_id}
    )


def test_lists_current_superseded_and_void_certificates(client, roster):
    a = roster.rows["A2"]
    first = a.current_certificate
    for end in (date(2025, 1, 11), date(2025, 1, 12)):
        services.save_assignment(
            partner=roster.facility.partner,
            external_id=a.external_id,
            facility=roster.facility,
            contractor=a.contractor,
            effective_date=a.effective_date,
            end_date=end,
            description="Night shift",
        )
    services.cancel_assignment(a)
    numbers = list(
        Certificate.objects.filter(assignment=a)
        .order_by("issued_at", "id")
        .values_list("number", flat=True)
    )
    assert numbers[0] == first.number and len(numbers) == 3
    client.force_login(roster.person)
    page = client.get(history_url(roster.facility.pk, a.pk)).content.decode()
    rows = re.findall(r'<th scope="row" class="nowrap">([^<]+)</th>', page)
    assert rows == list(reversed(numbers))  # newest first
    assert page.count('badge-bad">Void') == 1
    assert page.count(">Superseded</span>") == 2
    assert f"by {numbers[2]}" in page and f"by {numbers[1]}" in page
    for number in numbers:
        assert f'href="/facilities/{roster.facility.pk}/certificates/{number}/download/"' in page
    assert "Bob Stone" in page and '<time datetime="2025-01-01">Jan 1, 2025</time>' in page
    assert ">Cancelled</span>" in page


def test_the_table_links_to_the_history(client, roster):
    client.force_login(roster.person)
    table = client.get(reverse("certificates:table", args=[roster.facility.pk])).content.decode()
    assert history_url(roster.facility.pk, roster.rows["A4"].pk) in table


def test_foreign_assignments_are_404(client, roster):
    foreign = factories.assignment(roster.other)
    stranger = factories.assignment(factories.facility())
    client.force_login(roster.person)
    mine = roster.rows["A1"].pk
    for facility_id, assignment_id in [
        (roster.facility.pk, foreign.pk),
        (roster.facility.pk, stranger.pk),
        (roster.other.pk, foreign.pk),
        (roster.other.pk, mine),
        (roster.facility.pk, 10**30),
        (stranger.facility_id, stranger.pk),
    ]:
        assert client.get(history_url(facility_id, assignment_id)).status_code == 404
    assert client.get(history_url(roster.facility.pk, mine)).status_code == 200
    Membership.objects.filter(person=roster.person).update(revoked_at=timezone.now())
    assert client.get(history_url(roster.facility.pk, mine)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, roster):
    response = client.get(history_url(roster.facility.pk, roster.rows["A1"].pk))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
