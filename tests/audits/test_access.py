"""Every audit URL is for members of the facility only: anyone else gets a 404."""

from datetime import date

import pytest
from django.urls import reverse

from compliance_hub.audits import services
from tests import factories
from tests.audits.helpers import csv_bytes, run_schedule

pytestmark = pytest.mark.django_db

ROWS = [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]


@pytest.fixture
def setting(facility, person):
    """A facility with a saved reconciliation and a pending upload of its member."""
    jane = factories.contractor(facility.partner, "Jane", "Doe")
    factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))
    reconciliation = run_schedule(facility, person, ROWS)
    upload = services.keep_upload(facility, person, "s.csv", csv_bytes(ROWS))
    return reconciliation, upload


def urls(facility_id, reconciliation_id, token):
    return [
        ("get", reverse("audits:list", args=[facility_id])),
        ("get", reverse("audits:upload", args=[facility_id])),
        ("post", reverse("audits:upload", args=[facility_id])),
        ("get", reverse("audits:mapping", args=[facility_id, token])),
        ("post", reverse("audits:mapping", args=[facility_id, token])),
        ("get", reverse("audits:result", args=[facility_id, reconciliation_id])),
        ("get", reverse("audits:packet", args=[facility_id, reconciliation_id])),
    ]


def test_a_stranger_gets_404_everywhere(client, facility, setting):
    reconciliation, upload = setting
    stranger = factories.member(factories.facility(facility.partner))
    client.force_login(stranger)
    for method, target in urls(facility.pk, reconciliation.pk, upload.token):
        assert getattr(client, method)(target).status_code == 404, target


def test_another_facilitys_ids_under_my_facility_are_404(client, facility, setting):
    reconciliation, upload = setting
    mine = factories.facility(facility.partner)
    other_person = factories.member(mine)
    run_schedule(mine, other_person, ROWS)
    client.force_login(other_person)
    for method, target in urls(mine.pk, reconciliation.pk, upload.token)[3:]:
        assert getattr(client, method)(target).status_code == 404, target


def test_a_revoked_membership_loses_access(client, facility, person, setting):
    from django.utils import timezone

    reconciliation, upload = setting
    person.memberships.update(revoked_at=timezone.now())
    client.force_login(person)
    for method, target in urls(facility.pk, reconciliation.pk, upload.token):
        assert getattr(client, method)(target).status_code == 404, target


def test_signed_out_people_are_sent_to_sign_in(client, facility, setting):
    reconciliation, upload = setting
    for method, target in urls(facility.pk, reconciliation.pk, upload.token):
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(reverse("accounts:sign_in")), target


def test_any_member_may_open_saved_reconciliations(client, facility, setting):
    reconciliation, _upload = setting
    teammate = factories.member(facility)
    client.force_login(teammate)
    assert (
        client.get(reverse("audits:result", args=[facility.pk, reconciliation.pk])).status_code
        == 200
    )
