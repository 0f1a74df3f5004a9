"""Invitations need consent and reveal nothing (issue 16 §2), for many generated cases.

For every entry point an inviter has (team page, partner API, partner console), every kind of
account an address can have and every earlier invitation it may have had, the inviter's answer
is the answer a never-seen address gets, and nobody becomes a member before accepting.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.accounts.models import normalize_email
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Facility, Invitation, Membership, PartnerStaff
from compliance_hub.partner_api.keys import create_key
from tests import factories

pytestmark = pytest.mark.django_db

ENTRY_POINTS = ("team", "api", "console")
ACCOUNTS = (
    "bare",
    "member_elsewhere",
    "member_of_another_partner",
    "ex_member",
    "staff",
    "inactive",
)
EARLIER = ("none", "pending", "revoked", "declined", "expired")


@dataclass
class World:
    facility: Facility
    elsewhere: Facility
    foreign: Facility
    primary: Client
    console: Client
    api_key: str


@pytest.fixture
def world(db) -> World:
    partner = factories.partner(name="Acme Staffing")
    facility = factories.facility(partner, name="St Mary", external_id="FAC-1")
    primary = factories.member(facility, factories.person("pat@acme.example"), role="primary")
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=staff)
    _, key = create_key(partner, name="consent")
    clients = {}
    for name, person in (("primary", primary), ("console", staff)):
        clients[name] = Client()
        clients[name].force_login(person)
    return World(
        facility=facility,
        elsewhere=factories.facility(partner, name="Lakeside"),
        foreign=factories.facility(factories.partner(), name="Elsewhere Arena"),
        primary=clients["primary"],
        console=clients["console"],
        api_key=key,
    )


@contextmanager
def rolled_back():
    with transaction.atomic():
        cache.clear()  # rate limits start afresh
        yield
        transaction.set_rollback(True)


def _give_account(world: World, address: str, kind: str) -> None:
    person = factories.person(address, is_active=kind != "inactive")
    if kind == "member_elsewhere":
        factories.member(world.elsewhere, person)
    elif kind == "member_of_another_partner":
        factories.member(world.foreign, person)
    elif kind == "ex_member":
        Membership.objects.create(person=person, facility=world.facility, revoked_at=timezone.now())
    elif kind == "staff":
        PartnerStaff.objects.create(partner=world.facility.partner, person=person)


def _earlier_invitation(world: World, address: str, state: str) -> None:
    if state == "none":
        return
    invitation = invitations.invite(
        email=address, facilities=[world.facility], role="member", name="Earlier"
    )
    if state == "revoked":
        invitations.revoke(invitation)
    elif state == "declined":
        invitations.decline(invitation)
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
_IDS = re.compile(r"/invitations/\d+/")
_WHEN = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}( \d{2}:\d{2})?")


def _answer(world: World, entry: str, typed: str) -> str:
    """What the inviter sees: status and page (redirects followed), or the API's JSON."""
    fid = world.facility.pk
    if entry == "api":
        response = Client().post(
            "/api/v1/facilities/FAC-1/invitations",
            {"email": typed, "name": "Sam"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {world.api_key}"},
        )
        body = response.json()
        for volatile in ("id", "created_at", "expires_at"):
            body.pop(volatile, None)
        return f"{response.status_code} {json.dumps(body, sort_keys=True)}"
    if entry == "team":
        client, url = world.primary, f"/facilities/{fid}/team/invite/"
        data = {"email": typed, "name": "Sam", "facilities": [fid], "role": "member"}
    else:
        client, url = world.console, f"/partner/facilities/{fid}/invite/"
        data = {"email": typed, "name": "Sam", "role": "member"}
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    page = _WHEN.sub("WHEN", _IDS.sub("/invitations/ID/", _CSRF.sub("CSRF", page)))
    return f"{response.status_code} {response.redirect_chain} {page}"


addresses = st.builds(
    "{}@{}.example".format,
    st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,6})?", fullmatch=True),
    st.from_regex(r"[a-z]{1,10}", fullmatch=True),
)


@st.composite
def typed_variant(draw, address: str) -> str:
    """The address as someone might type it: any mix of upper and lower case."""
    upper = draw(st.lists(st.booleans(), min_size=len(address), max_size=len(address)))
    return "".join(c.upper() if u else c for c, u in zip(address, upper, strict=True))


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    entry=st.sampled_from(ENTRY_POINTS),
    account=st.sampled_from(ACCOUNTS),
    earlier=st.sampled_from(EARLIER),
    data=st.data(),
)
def test_the_inviters_answer_is_the_same_with_or_without_an_account(
    world, entry, account, earlier, data
):
    address = data.draw(addresses)
    typed = data.draw(typed_variant(address))
    answers, members, pending = [], [], []
    for has_account in (False, True):
        with rolled_back():
            if has_account:
                _give_account(world, address, account)
            _earlier_invitation(world, address, earlier)
            answers.append(_answer(world, entry, typed))
            members.append(
                Membership.objects.filter(
                    person__email=normalize_email(typed),
                    facility=world.facility,
                    revoked_at__isnull=True,
                ).exists()
            )
            pending.append(
                Invitation.objects.filter(
                    email=address, facilities=world.facility, accepted_at=None, name="Sam"
                ).exists()
            )
    without_account, with_account = answers
    assert with_account == without_account
    assert without_account.startswith(("201 ", "200 [("))  # invited, not refused
    assert members == [False, False] and pending == [True, True]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entry=st.sampled_from(ENTRY_POINTS), address=addresses, data=st.data())
def test_access_begins_only_when_the_person_accepts(world, entry, address, data):
    typed = data.draw(typed_variant(address))
    with rolled_back():
        person = factories.person(address)
        factories.member(world.elsewhere, person)
        _answer(world, entry, typed)
        [invitation] = Invitation.objects.filter(email=address)
        assert not Membership.objects.filter(person=person, facility=world.facility).exists()
        invitations.accept_as(person, invitation.pk)
        assert Membership.objects.filter(
            person=person, facility=world.facility, revoked_at__isnull=True
        ).exists()


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_re_inviting_a_current_member_says_so_to_those_who_see_the_team(world, entry):
    """A documented choice: whoever can invite to a facility sees its people anyway."""
    factories.member(world.facility, factories.person("kim@example.com"))
    answer = _answer(world, entry, "KIM@example.com")
    assert answer.startswith(("422 ", "400 "))
    assert "already has this access" in answer
    assert Invitation.objects.filter(email="kim@example.com").count() == 0
