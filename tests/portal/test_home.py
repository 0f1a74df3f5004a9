"""The home page sends everyone to the right place."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.facilities.invitations import By, invite
from compliance_hub.facilities.models import Membership, PartnerStaff
from tests import factories

pytestmark = pytest.mark.django_db


def table(facility) -> str:
    return reverse("certificates:table", kwargs={"facility_id": facility.pk})


def test_anonymous_people_go_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign_in")


def test_members_land_on_their_first_facility_by_name(client, db):
    partner = factories.partner()
    zeta = factories.facility(partner, name="Zeta Ward")
    alpha = factories.facility(partner, name="Alpha Ward")
    person = factories.member(zeta)
    factories.member(alpha, person)
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == table(alpha)


def test_members_land_on_the_facility_they_used_last(client, db):
    partner = factories.partner()
    zeta = factories.facility(partner, name="Zeta Ward")
    alpha = factories.facility(partner, name="Alpha Ward")
    person = factories.member(zeta)
    factories.member(alpha, person)
    client.force_login(person)
    assert client.get(table(zeta)).status_code == 200
    assert client.get("/")["Location"] == table(zeta)
    # No longer a member there: back to the first facility by name.
    Membership.objects.filter(person=person, facility=zeta).update(revoked_at=timezone.now())
    assert Person.objects.get(pk=person.pk).last_facility_id == zeta.pk
    assert client.get("/")["Location"] == table(alpha)


def test_partner_staff_without_facilities_go_to_the_console(client, db):
    person = factories.person()
    PartnerStaff.objects.create(partner=factories.partner(), person=person)
    client.force_login(person)
    assert client.get("/")["Location"] == "/partner/"


def test_operators_without_facilities_go_to_the_admin(client, db):
    person = factories.person(is_staff=True)
    client.force_login(person)
    assert client.get("/")["Location"] == reverse("admin:index")


def test_facility_members_who_are_operators_still_see_their_facility(client, facility):
    person = factories.member(facility, factories.person(is_staff=True))
    client.force_login(person)
    assert client.get("/")["Location"] == table(facility)


def test_people_without_access_are_told_how_to_get_it(client, db):
    person = factories.person()
    revoked = factories.facility()
    Membership.objects.create(person=person, facility=revoked, revoked_at=timezone.now())
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No facilities yet" in page and "invite" in page and person.email in page
    assert revoked.name not in page


def test_people_without_facilities_but_with_invitations_answer_them_first(client, db):
    person = factories.person("kim@example.com")
    facility = factories.facility()
    inviter = factories.member(facility, role="primary")
    invite(email=person.email, facilities=[facility], role="member", by=By(inviter))
    client.force_login(person)
    assert client.get("/")["Location"] == reverse("facilities:pending")
    assert not Membership.objects.filter(person=person).exists()
