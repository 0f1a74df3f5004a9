"""Single sign-on in Chromium against a real OpenID provider (oidc-provider on loopback): the
sign-in form sends the address to the organisation's provider, the person signs in there and
comes back signed in; when the provider is down, the page says so and offers an e-mailed link."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from compliance_hub.activity.models import Activity
from compliance_hub.sso import services
from tests import factories
from tests.browser.conftest import Mailbox, link_in
from tests.sso.conftest import OidcProvider, configure, start_provider

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def idp(hub_settings) -> Iterator[OidcProvider]:
    provider = start_provider(services.redirect_uri())  # the live server's callback
    yield provider
    provider.stop()


@pytest.fixture
def nurse(transactional_db, idp):
    facility = factories.facility(name="Alder Care Home")
    person = factories.member(facility, factories.person("nurse@health.example"))
    configure(facility, idp, "health.example")
    return facility, person


def test_signing_in_with_the_organisations_provider(hub, idp, nurse):
    _, person = nurse
    page = hub.new_page()
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill("nurse@health.example")
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    # At the organisation's provider.
    expect(page.get_by_role("heading", level=1)).to_have_text("Example Health sign-in")
    assert page.url.startswith(idp.issuer + "/interaction/")
    page.get_by_label("Work e-mail").fill("nurse@health.example")
    page.get_by_role("button", name="Sign in").click()
    # Back at the hub, signed in, at the facility.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alder Care Home")
    assert page.url.startswith(hub.url)
    record = Activity.objects.get(verb=Activity.Verb.SIGNED_IN, actor=person)
    assert record.detail["method"] == "oidc"


def test_when_the_provider_is_down_the_page_offers_an_e_mailed_link(
    hub, idp, nurse, mailbox: Mailbox
):
    _, person = nurse
    idp.stop()
    page = hub.new_page()
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We could not reach your organisation's sign-in service"
    )
    hub.check_a11y(page, "single sign-on problem page")
    page.get_by_role("button", name="Use an e-mailed link instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    page.goto(link_in(mailbox.wait_for(person.email, subject="sign-in link")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alder Care Home")
