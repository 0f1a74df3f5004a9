"""Setting up single sign-on: the partner console page and a facility's page (primary
contacts), their field errors, the secret never shown again, and the activity log."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Membership, PartnerStaff
from compliance_hub.sso import secrets
from compliance_hub.sso.models import IdentityProvider
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = "very-secret-client-secret-value-123"


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'")
    return " ".join(html.split())


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def staff():
    partner = factories.partner(name="Acme Staffing")
    person = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=person)
    return partner, client_for(person)


def body(**overrides: str) -> dict[str, str]:
    return {
        "issuer": "https://login.acme.example",
        "client_id": "compliance-hub",
        "client_secret": SECRET,
        "domains": "Acme.example, staff.acme.example",
        "enabled": "on",
        **overrides,
    }


def test_partner_staff_set_up_single_sign_on_and_the_secret_is_never_shown(staff):
    partner, client = staff
    page = client.get("/partner/single-sign-on/")
    assert page.status_code == 200
    assert "http://testserver/sign-in/sso/callback/" in text(page)  # the URI to register
    response = client.post(f"/partner/single-sign-on/{partner.pk}/", body(), follow=True)
    assert response.status_code == 200
    shown = text(response)
    assert "Single sign-on saved. It starts once the hub's operator has verified" in shown
    provider = IdentityProvider.objects.get(partner=partner)
    for domain in provider.domains.all():  # the record to publish, to prove the domain is theirs
        assert (
            f"Waiting for verification {domain.domain} : publish a DNS TXT record named "
            f"_compliance-hub.{domain.domain} with the value "
            f"compliance-hub-verification={domain.verification_token}"
        ) in shown
    assert SECRET not in response.content.decode()
    provider = IdentityProvider.objects.get(partner=partner)
    assert provider.domain_names == ["acme.example", "staff.acme.example"]
    # Stored encrypted, readable only with the SECRET_KEY-derived key.
    assert SECRET not in provider.client_secret_encrypted
    assert secrets.unseal(provider.client_secret_encrypted) == SECRET
    record = Activity.objects.get(verb=Activity.Verb.SETTINGS_CHANGED, partner=partner)
    assert record.detail["single_sign_on"] == "set up" and record.actor_label == "ops@acme.example"
    assert SECRET not in str(record.detail)
    log = text(client.get("/partner/activity/"))
    assert "Set up single sign-on" in log


def test_saving_without_a_secret_keeps_the_stored_one(staff):
    partner, client = staff
    client.post(f"/partner/single-sign-on/{partner.pk}/", body())
    response = client.post(
        f"/partner/single-sign-on/{partner.pk}/", body(client_secret="", enabled="")
    )
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(partner=partner)
    assert secrets.unseal(provider.client_secret_encrypted) == SECRET
    assert provider.enabled is False
    changed = Activity.objects.filter(detail__single_sign_on="changed").get()
    assert "off" in changed.detail["what"] and "new client secret" not in changed.detail["what"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuer", "ftp://login.acme.example", "https://"),
        ("issuer", "", "Enter your provider's issuer URL."),
        ("client_id", "", "Enter the client ID"),
        ("client_secret", "", "Enter the client secret"),
        ("domains", "", "Enter at least one e-mail domain"),
        ("domains", "*.acme.example", "is not a domain name"),
        ("domains", "ops@acme.example", "is not a domain name"),
        ("domains", "gmail.com", "public mail service"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(staff, settings, field, value, message):
    settings.SSO_ALLOW_HTTP = False
    partner, client = staff
    response = client.post(f"/partner/single-sign-on/{partner.pk}/", body(**{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(rf'id="p{partner.pk}_{field}_error">(.*?)</ul>', html, re.S)
    assert errors, html
    assert message in errors.group(1).replace("&#x27;", "'")
    assert not IdentityProvider.objects.exists()
    assert not Activity.objects.filter(verb=Activity.Verb.SETTINGS_CHANGED).exists()


def test_a_domain_belongs_to_one_provider_only(staff):
    partner, client = staff
    client.post(f"/partner/single-sign-on/{partner.pk}/", body())
    facility = factories.facility(name="St Mary Regional")
    primary = factories.member(facility, factories.person("pat@stmary.example"), "primary")
    response = client_for(primary).post(
        f"/facilities/{facility.pk}/single-sign-on/save/",
        body(domains="stmary.example, staff.acme.example"),
    )
    assert response.status_code == 400
    assert "staff.acme.example already belongs to another organisation" in text(response)
    assert not IdentityProvider.objects.filter(facility=facility).exists()


def test_a_primary_contact_sets_up_single_sign_on_for_the_facility():
    facility = factories.facility(name="St Mary Regional")
    primary = factories.member(facility, factories.person("pat@stmary.example"), "primary")
    member = factories.member(facility, factories.person("mo@stmary.example"))
    client = client_for(primary)
    team = text(client.get(f"/facilities/{facility.pk}/team/"))
    assert "Set up or change single sign-on" in team
    assert "Set up or change single sign-on" not in text(
        client_for(member).get(f"/facilities/{facility.pk}/team/")
    )
    assert client_for(member).get(f"/facilities/{facility.pk}/single-sign-on/").status_code == 403
    response = client.post(
        f"/facilities/{facility.pk}/single-sign-on/save/",
        body(domains="stmary.example"),
        follow=True,
    )
    assert response.status_code == 200
    assert "Test sign-in" in text(response) and SECRET not in response.content.decode()
    assert IdentityProvider.objects.get(facility=facility).domain_names == ["stmary.example"]
    Membership.objects.filter(person=primary).update(role="primary")
    log = text(client.get(f"/facilities/{facility.pk}/activity/"))
    assert "Set up single sign-on" in log and "stmary.example" in log


def test_every_mistake_is_shown_at_once(staff):
    partner, client = staff
    response = client.post(f"/partner/single-sign-on/{partner.pk}/", {})
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("issuer", "client_id", "client_secret", "domains"):
        assert f'id="p{partner.pk}_{field}_error"' in html, field
        assert f'aria-describedby="p{partner.pk}_{field}_error"' in html, field


def test_an_issuer_on_a_private_or_loopback_address_is_refused(staff, settings):
    """The hub fetches from the issuer: its settings must not reach into the hub's network."""
    settings.SSO_ALLOW_PRIVATE_ISSUERS = False
    partner, client = staff
    for issuer in ("https://127.0.0.1/", "https://10.0.0.8/realms/x", "https://localhost/"):
        response = client.post(f"/partner/single-sign-on/{partner.pk}/", body(issuer=issuer))
        assert response.status_code == 400, issuer
        assert "private, loopback or link-local" in text(response), issuer
    assert not IdentityProvider.objects.exists()
