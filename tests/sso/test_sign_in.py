"""Signing in with an organisation's OpenID provider: a real one (oidc-provider on loopback),
driven the way a browser is — the hub's redirect, the provider's sign-in form, the way back."""

from __future__ import annotations

import re
import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from compliance_hub.accounts.models import Person
from compliance_hub.activity.models import Activity
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Membership, PartnerStaff
from compliance_hub.sso import services
from compliance_hub.sso.views import ATTEMPT
from tests import factories
from tests.accounts.helpers import deliver, is_signed_in, path_in
from tests.sso.conftest import CLIENT_SECRET, OidcProvider, configure, path_of

pytestmark = pytest.mark.django_db
V = Activity.Verb
DOMAIN = "health.example"


@pytest.fixture
def site(oidc_provider):
    facility = factories.facility(name="St Mary Regional")
    nurse = factories.member(facility, factories.person(f"nurse@{DOMAIN}"))
    provider = configure(facility, oidc_provider, DOMAIN)
    return facility, nurse, provider


def go_to_provider(client: Client, email: str, next_url: str = "") -> str:
    """Submit the sign-in form; it must send the browser to the provider. Returns where."""
    data = {"email": email, **({"next": next_url} if next_url else {})}
    response = client.post("/sign-in/", data)
    assert response.status_code == 200, response.status_code
    assert "Continue to your organisation's sign-in" in text(response)
    refresh = response["Refresh"]
    assert refresh.startswith("0; url=")
    return refresh.removeprefix("0; url=")


def sign_in(client: Client, idp: OidcProvider, email: str, as_whom: str | None = None):
    """The whole journey: sign-in form, provider, back to the hub. Returns the hub's answer."""
    callback = idp.sign_in(go_to_provider(client, email), as_whom or email)
    return client.get(path_of(callback))


def text(response) -> str:
    """The page as a person reads it: tags gone, whitespace folded."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'")
    return " ".join(html.split())


def failures(reason_part: str = "") -> list[Activity]:
    return [
        a
        for a in Activity.objects.filter(verb=V.SIGN_IN_FAILED)
        if a.detail.get("purpose") == "oidc" and reason_part in a.detail.get("reason", "")
    ]


def test_an_address_of_the_domain_signs_in_with_the_provider(site, oidc_provider):
    facility, nurse, _ = site
    client = Client()
    location = go_to_provider(client, "Nurse@Health.Example ", f"/facilities/{facility.pk}/team/")
    assert location.startswith(oidc_provider.issuer + "/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [oidc_provider.client_id]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert set(query["scope"][0].split()) == {"openid", "email"}
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    # What the hub keeps while the person is away is server-side, in the session.
    attempt = client.session[ATTEMPT]
    assert attempt["state"] == query["state"][0] and attempt["nonce"] == query["nonce"][0]
    assert query["code_challenge"][0] != attempt["verifier"]

    response = client.get(path_of(oidc_provider.sign_in(location, nurse.email)))

    assert response.status_code == 302
    assert response["Location"] == f"/facilities/{facility.pk}/team/"
    assert is_signed_in(client, nurse.email)
    assert ATTEMPT not in client.session
    assert deliver() == []  # no e-mail: the provider was the way in
    record = Activity.objects.filter(verb=V.SIGNED_IN, actor=nurse).get()
    assert record.detail == {"method": "oidc", "provider": oidc_provider.issuer}
    assert client.session.get("hub_sign_in_method") == "oidc"  # counts as strong sign-in
    page = client.get(f"/facilities/{facility.pk}/")
    assert page.status_code == 200 and "St Mary Regional" in page.content.decode()


def test_partner_staff_sign_in_with_their_partners_provider(oidc_provider):
    partner = factories.partner(name="Acme Staffing")
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=staff)
    configure(partner, oidc_provider, "acme.example")
    client = Client()
    response = sign_in(client, oidc_provider, "ops@acme.example")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == "/partner/"
    assert is_signed_in(client, staff.email)


def test_whether_the_address_has_an_account_changes_nothing_before_the_provider(
    site, oidc_provider
):
    known = go_to_provider(Client(), f"nurse@{DOMAIN}")
    unknown = go_to_provider(Client(), f"nobody@{DOMAIN}")
    strip = lambda url: {k: v for k, v in parse_qs(urlsplit(url).query).items()}  # noqa: E731
    assert urlsplit(known)[:3] == urlsplit(unknown)[:3]
    assert strip(known).keys() == strip(unknown).keys()
    assert Person.objects.filter(email=f"nobody@{DOMAIN}").count() == 0


def test_someone_without_access_is_told_so_and_not_signed_in(site, oidc_provider):
    client = Client()
    response = sign_in(client, oidc_provider, f"nobody@{DOMAIN}")
    assert response.status_code == 403
    assert "No access yet" in text(response) and f"nobody@{DOMAIN}" in text(response)
    assert not is_signed_in(client)
    assert not Person.objects.filter(email=f"nobody@{DOMAIN}").exists()  # no account made
    assert failures("no access")


def test_an_invited_person_signs_in_and_answers_their_invitation(site, oidc_provider):
    facility, nurse, _ = site
    invitations.invite(
        email=f"new@{DOMAIN}",
        facilities=[facility],
        role="member",
        by=invitations.By(nurse),
    )
    client = Client()
    response = sign_in(client, oidc_provider, f"new@{DOMAIN}")
    assert response.status_code == 302 and response["Location"] == "/invitations/"
    assert is_signed_in(client, f"new@{DOMAIN}")
    page = client.get("/invitations/")
    assert "St Mary Regional" in page.content.decode()
    # Consent: the membership begins when they accept, as with the e-mailed link.
    assert not Membership.objects.filter(person__email=f"new@{DOMAIN}").exists()


def test_an_address_outside_the_domains_never_goes_to_the_provider(site, oidc_provider):
    facility, _, _ = site
    other = factories.member(facility, factories.person("pat@elsewhere.example"))
    client = Client()
    response = client.post("/sign-in/", {"email": other.email})
    assert response.status_code == 302 and response["Location"] == "/sign-in/sent/"
    assert "Refresh" not in response
    assert oidc_provider.stats()["authorizations"] == 0
    assert ATTEMPT not in client.session
    [message] = deliver()
    assert message.to == [other.email] and path_in(str(message.body))
    # A look-alike domain is not the domain.
    for lookalike in (f"x@sub.{DOMAIN}", f"x@{DOMAIN}.evil.example", "x@ealth.example"):
        assert Client().post("/sign-in/", {"email": lookalike})["Location"] == "/sign-in/sent/"


def test_a_provider_turned_off_sends_nobody_there(site, oidc_provider):
    facility, nurse, _ = site
    configure(facility, oidc_provider, DOMAIN, enabled=False, client_secret="")
    response = Client().post("/sign-in/", {"email": nurse.email})
    assert response["Location"] == "/sign-in/sent/"
    assert len(deliver()) == 1


def test_a_token_for_another_audience_is_refused(site, oidc_provider):
    _, nurse, _ = site
    oidc_provider.set(audience="another-application")
    client = Client()
    response = sign_in(client, oidc_provider, nurse.email)
    assert response.status_code == 400
    assert "could not be confirmed" in text(response)
    assert not is_signed_in(client)
    assert failures("aud")
    assert not Activity.objects.filter(verb=V.SIGNED_IN).exists()


def test_an_expired_id_token_is_refused(site, oidc_provider, settings):
    """The provider's clock runs an hour behind (a skewed server): the ID token it issues,
    valid for 10 minutes by its clock, expired 50 minutes ago by the hub's."""
    _, nurse, _ = site
    settings.SSO_CLOCK_SKEW_SECONDS = 60
    client = Client()
    callback = oidc_provider.sign_in(go_to_provider(client, nurse.email), nurse.email)
    oidc_provider.set(clockOffset=-3600)
    response = client.get(path_of(callback))
    assert response.status_code == 400
    assert "could not be confirmed" in text(response)
    assert not is_signed_in(client)
    assert failures("expired")


def test_a_replayed_state_is_refused(site, oidc_provider):
    _, nurse, _ = site
    client = Client()
    callback = oidc_provider.sign_in(go_to_provider(client, nurse.email), nurse.email)
    assert client.get(path_of(callback)).status_code == 302
    assert is_signed_in(client, nurse.email)
    client.post("/sign-out/")
    for browser in (client, Client()):  # the same browser again, or another one
        response = browser.get(path_of(callback))
        assert response.status_code == 400
        assert "expired or was already used" in text(response)
        assert not is_signed_in(browser)
    assert Activity.objects.filter(verb=V.SIGNED_IN).count() == 1


def test_a_state_that_does_not_match_is_refused_and_ends_the_attempt(site, oidc_provider):
    _, nurse, _ = site
    client = Client()
    callback = oidc_provider.sign_in(go_to_provider(client, nurse.email), nurse.email)
    forged = callback.replace("state=", "state=x")
    response = client.get(path_of(forged))
    assert response.status_code == 400 and "does not match" in text(response)
    assert "Use an e-mailed link instead" in text(response)
    # The real answer arriving afterwards is refused too: an attempt is answered once.
    assert client.get(path_of(callback)).status_code == 400
    assert not is_signed_in(client)
    assert failures("state")


def test_an_unverified_address_is_refused(site, oidc_provider):
    _, nurse, _ = site
    oidc_provider.set(unverified=[nurse.email])
    client = Client()
    response = sign_in(client, oidc_provider, nurse.email)
    assert response.status_code == 403
    assert "not confirmed" in text(response)
    assert not is_signed_in(client)
    assert failures("email_unverified")


def test_the_provider_may_not_vouch_for_an_address_outside_its_domains(site, oidc_provider):
    facility, _, _ = site
    outsider = factories.member(facility, factories.person("boss@elsewhere.example"))
    client = Client()
    response = sign_in(client, oidc_provider, f"nurse@{DOMAIN}", as_whom=outsider.email)
    assert response.status_code == 403
    assert not is_signed_in(client)
    assert failures("email_domain")


def test_a_provider_that_is_down_gets_a_clear_page_and_an_e_mailed_link(site, oidc_provider):
    _, nurse, _ = site
    oidc_provider.stop()
    client = Client()
    response = client.post("/sign-in/", {"email": nurse.email})
    assert response.status_code == 400
    page = text(response)
    assert "could not reach your organisation's sign-in service" in page
    assert "Use an e-mailed link instead" in page
    assert failures("unreachable")
    response = client.post("/sign-in/sso/email-link/", {"email": nurse.email})
    assert response.status_code == 302 and response["Location"] == "/sign-in/sent/"
    [message] = deliver()
    assert message.to == [nurse.email]
    response = client.get(path_in(str(message.body)), follow=True)
    assert is_signed_in(client, nurse.email)


def test_a_provider_that_goes_down_mid_way_gets_the_same_clear_page(site, oidc_provider):
    _, nurse, _ = site
    client = Client()
    callback = oidc_provider.sign_in(go_to_provider(client, nurse.email), nurse.email)
    oidc_provider.stop()
    response = client.get(path_of(callback))
    assert response.status_code == 400
    assert "could not reach" in text(response)
    assert not is_signed_in(client)


def test_a_provider_that_never_answers_times_out(settings):
    """A listening socket that never answers: the hub gives up after SSO_TIMEOUT_SECONDS."""
    settings.SSO_TIMEOUT_SECONDS = 1
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    try:
        facility = factories.facility()
        factories.member(facility, factories.person("nurse@slow.example"))
        provider = services.save_provider(
            facility,
            issuer=f"http://127.0.0.1:{port}",
            client_id="hub",
            client_secret=CLIENT_SECRET,
            domains="slow.example",
            enabled=True,
            by=services.Actor(factories.person()),
        )
        services.verify_domain(provider.domains.get(), by=services.Actor(factories.person()))
        started = time.monotonic()
        response = Client().post("/sign-in/", {"email": "nurse@slow.example"})
        assert time.monotonic() - started < 5, "the sign-in form waited far too long"
        assert response.status_code == 400
        assert "could not reach" in text(response)
    finally:
        server.close()


def test_sign_out_everywhere_ends_sessions_begun_with_single_sign_on(site, oidc_provider):
    facility, nurse, _ = site
    laptop, phone = Client(), Client()
    for browser in (laptop, phone):
        assert sign_in(browser, oidc_provider, nurse.email).status_code == 302
        assert is_signed_in(browser, nurse.email)
    assert laptop.post("/sign-out/everywhere/").status_code == 302
    assert not is_signed_in(laptop)
    assert phone.get(f"/facilities/{facility.pk}/").status_code == 302  # to the sign-in page
    assert not is_signed_in(phone)
    assert Activity.objects.filter(verb=V.SIGNED_OUT, actor=nurse, detail__everywhere=True).exists()


def test_the_activity_log_says_how_and_through_which_provider(site, oidc_provider):
    facility, nurse, _ = site
    Membership.objects.filter(person=nurse).update(role=Membership.Role.PRIMARY)
    client = Client()
    sign_in(client, oidc_provider, nurse.email)
    page = text(client.get(f"/facilities/{facility.pk}/activity/"))
    assert f"Signed in with single sign-on, through {oidc_provider.issuer}" in page
    assert "Set up single sign-on" in page


def test_single_sign_on_meets_a_requirement_of_passkey_or_single_sign_on(site, oidc_provider):
    facility, nurse, _ = site
    facility.require_strong_sign_in = True
    facility.save(update_fields=["require_strong_sign_in"])
    client = Client()
    sign_in(client, oidc_provider, nurse.email)
    assert client.get(f"/facilities/{facility.pk}/").status_code == 200
    # The e-mailed link alone does not: that session is sent to the passkey step first.
    by_link = Client()
    by_link.force_login(nurse)
    assert by_link.get(f"/facilities/{facility.pk}/").status_code == 302


def test_an_answer_naming_another_issuer_is_refused(site, oidc_provider):
    """RFC 9207: the provider names itself in its answer; another name is a mix-up."""
    _, nurse, _ = site
    client = Client()
    callback = oidc_provider.sign_in(go_to_provider(client, nurse.email), nurse.email)
    assert "iss=" in callback
    forged = re.sub(r"iss=[^&]+", "iss=https%3A%2F%2Fidp.evil.example", callback)
    response = client.get(path_of(forged))
    assert response.status_code == 400 and "could not be confirmed" in text(response)
    assert not is_signed_in(client)


def test_a_provider_moved_to_a_private_address_is_not_contacted(site, oidc_provider, settings):
    """Checked at every request too, not only when saved (production refuses loopback)."""
    _, nurse, _ = site
    settings.SSO_ALLOW_PRIVATE_ISSUERS = False
    response = Client().post("/sign-in/", {"email": nurse.email})
    assert response.status_code == 400 and "could not reach" in text(response)
    assert oidc_provider.stats()["authorizations"] == 0


def test_a_provider_signs_in_only_its_own_organisations_people(site, oidc_provider):
    """A domain is claimed without proof: the facility that claimed it must not reach the
    account of someone of the domain who belongs to another organisation, nor an operator."""
    other = factories.facility(name="Elsewhere Clinic")
    outsider = factories.member(other, factories.person(f"chief@{DOMAIN}"))
    operator = factories.person(f"ops@{DOMAIN}")
    Person.objects.filter(pk=operator.pk).update(is_staff=True)
    for email in (outsider.email, operator.email):
        client = Client()
        response = sign_in(client, oidc_provider, email)
        assert response.status_code == 403, email
        assert "No access yet" in text(response)
        assert not is_signed_in(client)


def test_a_provider_leads_only_to_its_own_organisations_invitations(site, oidc_provider):
    _facility, _nurse, _ = site
    other = factories.facility(name="Elsewhere Clinic")
    inviter = factories.member(other, factories.person("boss@elsewhere.example"))
    invitations.invite(
        email=f"new@{DOMAIN}", facilities=[other], role="member", by=invitations.By(inviter)
    )
    client = Client()
    response = sign_in(client, oidc_provider, f"new@{DOMAIN}")
    assert response.status_code == 403 and not is_signed_in(client)
    assert not Person.objects.filter(email=f"new@{DOMAIN}").exists()
