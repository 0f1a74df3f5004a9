"""The "require passkey or single sign-on" policy: who must take the passkey step after the
e-mailed link, what they can reach until then, who switches it and who resets passkeys."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance_hub.accounts.services import SIGN_IN_METHOD
from compliance_hub.activity.kinds import headline
from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.passkeys.models import Passkey
from tests import factories
from tests.accounts.helpers import link_for
from tests.passkeys.helpers import client_signed_in, passkey

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    partner = factories.partner(name="Acme Staffing")
    facility = factories.facility(partner, name="Alder Court")
    primary = factories.member(facility, factories.person("pat@alder.example"), "primary")
    member = factories.member(facility, factories.person("mo@alder.example"))
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=staff)
    return type(
        "Site",
        (),
        {
            "partner": partner,
            "facility": facility,
            "primary": primary,
            "member": member,
            "staff": staff,
        },
    )


def _policy_read(sql: str) -> bool:
    """The query of ``passkeys.queries.requires_strong``."""
    return 'FROM "accounts_person"' in sql and "require_strong_sign_in" in sql


def table(site) -> str:
    return f"/facilities/{site.facility.pk}/certificates/"


def require(site) -> None:
    site.facility.require_strong_sign_in = True
    site.facility.save(update_fields=["require_strong_sign_in"])


def test_a_sign_in_keeps_its_method_in_the_session(site):
    client = Client()
    client.get(
        link_for(client, site.member.email), follow=True
    )  # the asking browser: signed in at once
    assert client.session[SIGN_IN_METHOD] == "same_browser"


def test_after_the_link_a_requiring_facility_sends_its_member_to_set_up_a_passkey(site):
    require(site)
    client = Client()
    client.get(link_for(client, site.member.email), follow=True)
    response = client.get(table(site))
    assert response.status_code == 302
    assert response["Location"] == f"/passkeys/required/?next={table(site).replace('/', '%2F')}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<h1>Set up a passkey</h1>" in page.content.decode()
    # Everything else waits too, the passkeys page included; signing out does not.
    for path in ("/", f"/facilities/{site.facility.pk}/team/", "/passkeys/", "/invitations/"):
        assert client.get(path)["Location"].startswith("/passkeys/required/"), path
    assert client.post("/sign-out/").status_code == 302


def test_with_a_passkey_already_the_step_asks_to_confirm_and_refuses_a_new_one(site):
    require(site)
    existing = passkey(site.member)
    client = client_signed_in(site.member, "link")
    page = client.get("/passkeys/required/")
    assert "<h1>Confirm with your passkey</h1>" in page.content.decode()
    # Someone holding only the e-mailed link cannot add their own passkey, nor remove the
    # person's.
    assert client.post("/passkeys/register/options/").status_code == 403
    assert (
        client.post("/passkeys/register/", b"{}", content_type="application/json").status_code
        == 403
    )
    assert client.post(f"/passkeys/{existing.pk}/remove/").status_code == 302
    assert Passkey.objects.filter(pk=existing.pk).exists()
    options = client.post("/passkeys/confirm/options/").json()
    assert [c["id"] for c in options["publicKey"]["allowCredentials"]] == [existing.credential_id]


@pytest.mark.parametrize("method", ["passkey", "oidc"])
def test_a_passkey_or_single_sign_on_session_goes_straight_in(site, method):
    require(site)
    client = client_signed_in(site.member, method)
    assert client.get(table(site)).status_code == 200
    # Nothing to do at the step: on to the page asked for.
    assert client.get(f"/passkeys/required/?next={table(site)}")["Location"] == table(site)


def test_the_rule_is_read_at_sign_in_and_again_only_after_a_while(site, settings):
    client = client_signed_in(site.member, "link")  # read here, at sign-in
    with CaptureQueriesContext(connection) as queries:
        assert client.get(table(site)).status_code == 200
        assert client.get(table(site)).status_code == 200
    assert not [q for q in queries.captured_queries if _policy_read(q["sql"])]
    # The facility turns it on: within STRONG_SIGN_IN_RECHECK the session learns it.
    require(site)
    settings.STRONG_SIGN_IN_RECHECK = 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(table(site))["Location"].startswith("/passkeys/required/")
    assert len([q for q in queries.captured_queries if _policy_read(q["sql"])]) == 1


def test_a_strong_session_pays_no_query_for_the_policy(site):
    require(site)
    client = client_signed_in(site.member, "passkey")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(table(site)).status_code == 200
    assert not [q for q in queries.captured_queries if _policy_read(q["sql"])]


def test_partner_staff_of_a_requiring_partner_and_auditors_of_a_requiring_facility(site):
    site.partner.require_strong_sign_in = True
    site.partner.save(update_fields=["require_strong_sign_in"])
    staff = client_signed_in(site.staff, "code")
    assert staff.get("/partner/")["Location"].startswith("/passkeys/required/")
    # The facility's people are not the partner's staff: the partner's switch is for staff.
    assert client_signed_in(site.member, "link").get(table(site)).status_code == 200

    from datetime import date

    from compliance_hub.auditors import services as auditor_services

    grant = auditor_services.grant(
        site.facility,
        email="ava@audit.example",
        firm="Granite Audit",
        period_start=date(2025, 7, 1),
        period_end=date(2026, 6, 30),
        by=site.primary,
    )
    auditor = client_signed_in(grant.person, "link")
    assert auditor.get(table(site)).status_code == 200
    require(site)
    auditor = client_signed_in(grant.person, "link")
    assert auditor.get(table(site))["Location"].startswith("/passkeys/required/")


def test_a_primary_contact_switches_it_on_the_team_page_and_then_takes_the_step(site):
    client = client_signed_in(site.primary, "link")
    team = f"/facilities/{site.facility.pk}/team/"
    page = client.get(team).content.decode()
    assert "Require a passkey or single sign-on" in page
    response = client.post(f"{team}sign-in-policy/", {"required": "1"})
    assert response.status_code == 302
    site.facility.refresh_from_db()
    assert site.facility.require_strong_sign_in
    record = Activity.objects.get(verb=Activity.Verb.SETTINGS_CHANGED, facility=site.facility)
    assert headline(record) == "Required a passkey or single sign-on"
    assert record.actor == site.primary
    # Their own session follows the rule at once.
    assert client.get(team)["Location"].startswith("/passkeys/required/")

    # A team member sees no switch and may not use it.
    member = client_signed_in(site.member, "passkey")
    assert "Stop requiring a passkey" not in member.get(team).content.decode()
    assert member.post(f"{team}sign-in-policy/", {"required": "0"}).status_code == 403
    assert (
        client_signed_in(site.primary, "passkey")
        .post(f"{team}sign-in-policy/", {"required": "maybe"})
        .status_code
        == 302
    )  # "Choose on or off."
    site.facility.refresh_from_db()
    assert site.facility.require_strong_sign_in


def test_a_primary_contact_resets_a_members_passkeys(site):
    passkey(site.member, "Lost phone")
    passkey(site.member, "Old laptop")
    client = client_signed_in(site.primary, "passkey")
    membership = site.member.memberships.get()
    url = f"/facilities/{site.facility.pk}/team/members/{membership.pk}/reset-passkeys/"
    response = client.post(url, follow=True)
    assert "The passkeys of mo@alder.example were removed (2)" in response.content.decode()
    assert not Passkey.objects.filter(person=site.member).exists()
    record = Activity.objects.get(facility=site.facility, detail__passkey="reset")
    assert headline(record) == "Reset passkeys"
    assert record.actor == site.primary and record.target == "mo@alder.example"
    mail = OutboundEmail.objects.get(to="mo@alder.example")
    assert (
        "were reset" in mail.subject and "pat@alder.example reset your passkeys" in mail.body_text
    )
    # A team member cannot; another facility's member id is a 404.
    other = factories.member(factories.facility(site.partner))
    foreign = other.memberships.get()
    assert client_signed_in(site.member, "passkey").post(url).status_code == 403
    bad = f"/facilities/{site.facility.pk}/team/members/{foreign.pk}/reset-passkeys/"
    assert client.post(bad).status_code == 404


def test_the_partner_switches_it_and_resets_passkeys_in_the_console(site):
    staff = client_signed_in(site.staff, "passkey")
    facility_page = f"/partner/facilities/{site.facility.pk}/"
    assert "Sign-in security" in staff.get(facility_page).content.decode()
    assert staff.post(f"{facility_page}sign-in-policy/", {"required": "1"}).status_code == 302
    site.facility.refresh_from_db()
    assert site.facility.partner_requires_strong_sign_in
    assert not site.facility.require_strong_sign_in  # the facility's own switch is theirs
    record = Activity.objects.filter(facility=site.facility).latest("id")
    assert record.actor_label == "ops@acme.example (Acme Staffing)"

    passkey(site.primary)
    membership = site.primary.memberships.get()
    assert staff.post(f"{facility_page}members/{membership.pk}/reset-passkeys/").status_code == 302
    assert not Passkey.objects.filter(person=site.primary).exists()

    # The staff page: the partner's switch for its staff, and each staff person's passkeys.
    colleague = factories.person("kim@acme.example")
    staff_row = PartnerStaff.objects.create(partner=site.partner, person=colleague)
    passkey(colleague)
    page = staff.get("/partner/sign-in/").content.decode()
    assert "kim@acme.example" in page and "Reset passkeys" in page
    assert (
        staff.post(f"/partner/sign-in/{site.partner.pk}/policy/", {"required": "1"}).status_code
        == 302
    )
    site.partner.refresh_from_db()
    assert site.partner.require_strong_sign_in
    assert staff.post(f"/partner/sign-in/staff/{staff_row.pk}/reset-passkeys/").status_code == 302
    assert not Passkey.objects.filter(person=colleague).exists()
    assert OutboundEmail.objects.filter(to="kim@acme.example").exists()
    partner_record = Activity.objects.filter(partner=site.partner, facility=None).latest("id")
    assert headline(partner_record) == "Reset passkeys"


def test_sign_out_everywhere_ends_a_passkey_session(site):
    laptop = client_signed_in(site.member, "passkey")
    assert laptop.get(table(site)).status_code == 200
    phone = client_signed_in(site.member, "passkey")
    assert phone.post("/sign-out/everywhere/").status_code == 302
    response = laptop.get(table(site))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


# --- who switches it: the partner's requirement and the facility's own (review item 12) ----


def test_a_primary_contact_cannot_switch_off_what_the_partner_required(site):
    staff = client_signed_in(site.staff, "passkey")
    staff.post(f"/partner/facilities/{site.facility.pk}/sign-in-policy/", {"required": "1"})
    primary = client_signed_in(site.primary, "passkey")
    team = f"/facilities/{site.facility.pk}/team/"
    page = primary.get(team).content.decode()
    assert "Required by Acme Staffing, the staffing partner: only they can stop" in page
    assert "Stop requiring a passkey" not in page  # nothing of theirs to stop
    response = primary.post(f"{team}sign-in-policy/", {"required": "0"}, follow=True)
    assert "Passkey required" in response.content.decode()
    member = client_signed_in(site.member, "link")
    assert member.get(table(site))["Location"].startswith("/passkeys/required/")

    # The primary contact requires it too; the partner stops: it stays, and each page says who.
    primary.post(f"{team}sign-in-policy/", {"required": "1"})
    response = staff.post(
        f"/partner/facilities/{site.facility.pk}/sign-in-policy/", {"required": "0"}, follow=True
    )
    page = response.content.decode()
    assert "but its primary contacts still do" in page
    assert "Required by the facility's primary contacts: only they can stop" in page
    assert client_signed_in(site.member, "link").get(table(site)).status_code == 302
    page = primary.get(team).content.decode()
    assert "Required by this facility's primary contacts." in page
    assert "Acme Staffing, the staffing partner" not in page
    # Only its own switch turns it off.
    primary.post(f"{team}sign-in-policy/", {"required": "0"})
    assert client_signed_in(site.member, "link").get(table(site)).status_code == 200


# --- resetting passkeys another organisation relies on (review item 4) --------------------


def _strict_facility(partner=None, name="Birch House"):
    facility = factories.facility(partner or factories.partner(name="Other Staffing"), name=name)
    facility.require_strong_sign_in = True
    facility.save(update_fields=["require_strong_sign_in"])
    return facility


def _team_reset(client, facility, person):
    membership = person.memberships.get(facility=facility, revoked_at__isnull=True)
    url = f"/facilities/{facility.pk}/team/members/{membership.pk}/reset-passkeys/"
    return client.post(url, follow=True).content.decode()


REFUSED = (
    "The passkeys of mo@alder.example were not reset: another organisation they belong to "
    "requires a passkey or single sign-on, so only that organisation or the operator of "
)


def test_a_primary_contact_cannot_reset_passkeys_another_facility_relies_on(site):
    passkey(site.member)
    strict = _strict_facility()
    factories.member(strict, site.member)
    primary = client_signed_in(site.primary, "passkey")
    assert REFUSED in _team_reset(primary, site.facility, site.member)
    assert Passkey.objects.filter(person=site.member).exists()
    assert not OutboundEmail.objects.filter(to=site.member.email).exists()
    assert not Activity.objects.filter(detail__passkey="reset").exists()

    # The requiring facility's own primary contact may (nobody else requires it).
    strict_primary = factories.member(strict, factories.person("bo@birch.example"), "primary")
    page = _team_reset(client_signed_in(strict_primary, "passkey"), strict, site.member)
    assert "The passkeys of mo@alder.example were removed (1)" in page
    assert not Passkey.objects.filter(person=site.member).exists()
    assert OutboundEmail.objects.filter(to=site.member.email, subject__contains="reset").exists()


def test_a_primary_contact_cannot_reset_an_auditors_or_partner_staffs_or_operators_passkeys(
    site,
):
    from datetime import date

    from compliance_hub.auditors import services as auditor_services

    primary = client_signed_in(site.primary, "passkey")
    # An auditor of a facility whose partner requires it.
    strict = factories.facility(factories.partner(name="Other Staffing"), name="Birch House")
    strict.partner_requires_strong_sign_in = True
    strict.save(update_fields=["partner_requires_strong_sign_in"])
    strict_primary = factories.member(strict, factories.person("bo@birch.example"), "primary")
    grant = auditor_services.grant(
        strict,
        email=site.member.email,
        firm="Granite Audit",
        period_start=date(2025, 7, 1),
        period_end=date(2026, 6, 30),
        by=strict_primary,
    )
    passkey(site.member)
    assert REFUSED in _team_reset(primary, site.facility, site.member)
    grant.revoked_at = grant.created_at
    grant.save(update_fields=["revoked_at"])
    assert "were removed (1)" in _team_reset(primary, site.facility, site.member)

    # Staff of a partner that requires it (the facility's own partner included).
    passkey(site.member)
    site.partner.require_strong_sign_in = True
    site.partner.save(update_fields=["require_strong_sign_in"])
    PartnerStaff.objects.create(partner=site.partner, person=site.member)
    assert REFUSED in _team_reset(primary, site.facility, site.member)
    # ... which the partner itself may reset, in its console.
    staff = client_signed_in(site.staff, "passkey")
    membership = site.member.memberships.get(facility=site.facility)
    url = f"/partner/facilities/{site.facility.pk}/members/{membership.pk}/reset-passkeys/"
    assert "were removed (1)" in staff.post(url, follow=True).content.decode()

    # One of the hub's operators: only the operator.
    site.member.is_staff = True
    site.member.save(update_fields=["is_staff"])
    passkey(site.member)
    assert REFUSED in _team_reset(primary, site.facility, site.member)
    assert Passkey.objects.filter(person=site.member).exists()


def test_the_partner_cannot_reset_passkeys_another_partner_relies_on(site):
    staff = client_signed_in(site.staff, "passkey")
    # A facility of its own that requires it is the partner's to reset for.
    own = _strict_facility(site.partner, name="Cedar Lodge")
    factories.member(own, site.member)
    passkey(site.member)
    membership = site.member.memberships.get(facility=site.facility)
    url = f"/partner/facilities/{site.facility.pk}/members/{membership.pk}/reset-passkeys/"
    assert "were removed (1)" in staff.post(url, follow=True).content.decode()

    # Another partner's requiring facility: refused, for its people and for its own staff.
    factories.member(_strict_facility(), site.member)
    passkey(site.member)
    assert REFUSED in staff.post(url, follow=True).content.decode()
    colleague = PartnerStaff.objects.create(partner=site.partner, person=site.member)
    page = staff.post(f"/partner/sign-in/staff/{colleague.pk}/reset-passkeys/", follow=True)
    assert REFUSED in page.content.decode()
    assert Passkey.objects.filter(person=site.member).exists()


# --- access gained after the rule was read (review item 5) ----------------------------------


def test_access_gained_in_a_link_session_is_checked_on_the_next_request(site):
    from datetime import date

    from compliance_hub.auditors import services as auditor_services
    from compliance_hub.facilities import invitations

    client = client_signed_in(site.member, "link")  # "not required" read at sign-in
    assert client.get(table(site)).status_code == 200
    strict = _strict_facility()
    strict_primary = factories.member(strict, factories.person("bo@birch.example"), "primary")
    invitation = invitations.invite(
        email=site.member.email,
        facilities=[strict],
        role="member",
        by=invitations.By(strict_primary),
    )
    assert client.get(table(site)).status_code == 200  # invited: no access yet
    assert client.post(f"/invitations/{invitation.pk}/accept/").status_code == 302
    assert client.get(table(site))["Location"].startswith("/passkeys/required/")

    # An auditor grant from a requiring facility, given while the auditor's session is open.
    auditor = client_signed_in(factories.person("ava@audit.example"), "link")
    assert auditor.get("/").status_code in (200, 302)
    auditor_services.grant(
        strict,
        email="ava@audit.example",
        firm="Granite Audit",
        period_start=date(2025, 7, 1),
        period_end=date(2026, 6, 30),
        by=strict_primary,
    )
    assert auditor.get("/")["Location"].startswith("/passkeys/required/")

    # A staff role at a requiring partner.
    other = client_signed_in(site.primary, "link")
    assert other.get(table(site)).status_code == 200
    site.partner.require_strong_sign_in = True
    site.partner.save(update_fields=["require_strong_sign_in"])
    PartnerStaff.objects.create(partner=site.partner, person=site.primary)
    assert other.get(table(site))["Location"].startswith("/passkeys/required/")


def test_a_link_session_pays_no_query_for_the_rule_until_access_changes(site):
    client = client_signed_in(site.member, "link")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(table(site)).status_code == 200
    assert not [q for q in queries.captured_queries if _policy_read(q["sql"])]
    factories.member(factories.facility(site.partner), site.member)  # access elsewhere
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(table(site)).status_code == 200
    assert len([q for q in queries.captured_queries if _policy_read(q["sql"])]) == 1
