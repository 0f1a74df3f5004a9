"""A domain routes sign-ins only once the hub's operator has verified that the organisation
owns it (a DNS TXT record with the token its single sign-on page shows). Until then typing an
address there gets the ordinary e-mailed link, and the provider may not sign anyone in with
an address there."""

from __future__ import annotations

import pytest
from django.test import Client

from compliance_hub.activity.kinds import sentence
from compliance_hub.activity.models import Activity
from compliance_hub.sso.models import ProviderDomain
from tests import factories
from tests.accounts.helpers import is_signed_in
from tests.sso.conftest import configure, path_of
from tests.sso.test_sign_in import go_to_provider, text

pytestmark = pytest.mark.django_db
DOMAIN = "health.example"


def test_an_unverified_domain_sends_nobody_to_the_provider(oidc_provider):
    """A primary contact typed in the domain of one of their members (or anyone's): nothing
    changes for the people there until the operator verified the organisation owns it."""
    facility = factories.facility(name="St Mary Regional")
    nurse = factories.member(facility, factories.person(f"nurse@{DOMAIN}"))
    configure(facility, oidc_provider, DOMAIN, verified=False)
    response = Client().post("/sign-in/", {"email": nurse.email})
    assert response.status_code == 302 and response["Location"] == "/sign-in/sent/"
    assert oidc_provider.stats()["authorizations"] == 0


def test_the_provider_may_not_sign_in_an_address_of_an_unverified_domain(oidc_provider):
    facility = factories.facility(name="St Mary Regional")
    nurse = factories.member(facility, factories.person(f"nurse@{DOMAIN}"))
    chief = factories.member(facility, factories.person("chief@other.example"))
    provider = configure(facility, oidc_provider, f"{DOMAIN}, other.example", verified=False)
    operator = factories.person("ops@hub.example", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(operator)
    verified = provider.domains.get(domain=DOMAIN)
    admin.post(
        "/admin/sso/providerdomain/",
        {"action": "mark_verified", "_selected_action": [verified.pk]},
    )
    client = Client()
    callback = oidc_provider.sign_in(go_to_provider(client, nurse.email), chief.email)
    response = client.get(path_of(callback))
    assert response.status_code == 403
    assert "signed you in with an address outside the domains" in text(response)
    assert not is_signed_in(client)


def test_the_operator_verifies_a_domain_after_checking_its_txt_record(oidc_provider):
    facility = factories.facility(name="St Mary Regional")
    nurse = factories.member(facility, factories.person(f"nurse@{DOMAIN}"))
    configure(facility, oidc_provider, DOMAIN, verified=False)
    domain = ProviderDomain.objects.get(domain=DOMAIN)
    operator = factories.person("ops@hub.example", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(operator)
    # What to check is on the operator's list: the record's name and the value it must hold.
    listing = admin.get("/admin/sso/providerdomain/").content.decode()
    assert "_compliance-hub.health.example" in listing
    assert f"compliance-hub-verification={domain.verification_token}" in listing

    answer = admin.post(
        "/admin/sso/providerdomain/",
        {"action": "mark_verified", "_selected_action": [domain.pk]},
        follow=True,
    )

    assert "Verified: health.example" in answer.content.decode()
    domain.refresh_from_db()
    assert domain.verified_at is not None and domain.verified_by == operator
    record = Activity.objects.get(verb=Activity.Verb.SETTINGS_CHANGED, target=DOMAIN)
    assert record.facility == facility and record.actor == operator
    assert sentence(record) == (
        f"Verified a single sign-on domain health.example for {oidc_provider.issuer}"
    )
    # From now on the address goes to the provider, and the facility's page says verified.
    assert go_to_provider(Client(), nurse.email).startswith(oidc_provider.issuer)
    contact = factories.member(facility, factories.person("lead@st-mary.example"), role="primary")
    page = Client()
    page.force_login(contact)
    shown = text(page.get(f"/facilities/{facility.pk}/single-sign-on/"))
    assert "Verified health.example" in shown and "Waiting for verification" not in shown
