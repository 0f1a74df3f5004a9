"""Passkeys with Chromium's virtual authenticator (DevTools protocol, WebAuthn domain): add one,
sign out, sign in with it alone; a response for another origin is refused; a cloned
authenticator whose counter does not grow is refused; a removed passkey no longer signs in;
"sign out everywhere" ends a passkey session; and a facility that requires a passkey sends a
person who came with the e-mailed link to set one up before the table, then to confirm with it.

WebAuthn needs a domain, not an IP address, as its relying party: these pages are served as
http://localhost:<port> and ``SITE_URL`` says so (the RP ID is its host).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import dateformat, timezone
from playwright.sync_api import CDPSession, Page, expect

from compliance_hub.activity.models import Activity
from compliance_hub.passkeys import ceremony, services
from compliance_hub.passkeys.models import Passkey
from tests.browser import data
from tests.browser.conftest import Hub, Mailbox, link_in
from tests.mailer.smtp import text_body

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def portal(transactional_db) -> data.Portal:
    return data.portal()


@pytest.fixture
def site(settings, hub_settings, live_server) -> str:
    """The live server as http://localhost:<port>, which the links and the RP ID name."""
    url = live_server.url.replace("127.0.0.1", "localhost")
    settings.SITE_URL = url
    settings.CSRF_TRUSTED_ORIGINS = [url, live_server.url]
    return url


def open_page(hub: Hub, url: str, *, session_of: Any = None) -> Page:
    """A new browser profile on ``url`` (like ``Hub.new_page``, on another host name)."""
    context = hub.browser.new_context(
        base_url=url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.add_init_script(script=hub.axe_source)
    hub.contexts.append(context)
    if session_of is not None:
        client = Client()
        client.force_login(session_of)
        cookie = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": url}])
    page = context.new_page()
    page.on("console", hub.problems.console)
    page.on("pageerror", hub.problems.page_error)
    page.on("response", hub.problems.response)
    return page


def authenticator(page: Page) -> tuple[CDPSession, str]:
    """A platform authenticator (like a laptop's fingerprint reader) in this browser."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def add_passkey(page: Page, name: str) -> None:
    page.goto("/passkeys/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passkeys")
    page.get_by_label("Name of the passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Passkey “{name}” added")
    expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()


def sign_in_with_passkey(page: Page) -> None:
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in with a passkey").click()


def test_add_a_passkey_sign_out_and_sign_in_with_it_alone(hub, site, portal, mailbox):
    page = open_page(hub, site, session_of=portal.pat)
    authenticator(page)
    add_passkey(page, "Work laptop")
    hub.check_a11y(page, "passkeys page")
    passkey = Passkey.objects.get(person=portal.pat)
    assert passkey.name == "Work laptop" and passkey.last_used_at is None
    # The person hears of it, in case it was not them (someone holding their e-mailed link).
    mail = text_body(mailbox.wait_for(portal.pat.email, subject="A passkey was added"))
    when = dateformat.format(timezone.localtime(passkey.created_at), "M j, Y H:i T")
    assert f'"Work laptop", on {when}' in mail
    assert "Wasn't this you?" in mail and f"({site}/passkeys/)" in mail

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    signed_in = Activity.objects.filter(verb=Activity.Verb.SIGNED_IN, actor=portal.pat).last()
    assert signed_in is not None and signed_in.detail["method"] == "passkey"

    # The passkeys page lists it as used; "sign out everywhere" elsewhere ends this session.
    page.goto("/passkeys/")
    expect(page.get_by_role("cell", name="Never")).to_have_count(0)
    other = open_page(hub, site, session_of=portal.pat)
    other.goto("/sign-out/everywhere/")
    other.get_by_role("button", name="Sign out everywhere").click()
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_a_removed_passkey_no_longer_signs_in(hub, site, portal):
    page = open_page(hub, site, session_of=portal.pat)
    authenticator(page)
    add_passkey(page, "Old phone")
    page.get_by_role("link", name="Remove Old phone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove the passkey “Old phone”?")
    hub.check_a11y(page, "remove passkey page")
    page.get_by_role("button", name="Remove the passkey").click()
    expect(page.get_by_role("status").first).to_contain_text("removed")
    assert not Passkey.objects.filter(person=portal.pat).exists()

    page.get_by_role("button", name="Sign out").click()
    # The authenticator still offers it; the hub no longer knows it.
    sign_in_with_passkey(page)
    expect(page.get_by_text("That passkey didn't sign you in.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    failed = Activity.objects.filter(verb=Activity.Verb.SIGN_IN_FAILED).last()
    assert failed is not None and failed.detail["reason"] == "unknown passkey"
    expected_refusals(hub, "/sign-in/passkey/")


def test_a_cloned_authenticator_whose_counter_does_not_grow_is_refused(hub, site, portal, caplog):
    page = open_page(hub, site, session_of=portal.pat)
    cdp, authenticator_id = authenticator(page)
    add_passkey(page, "Security key")
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    stored = Passkey.objects.get(person=portal.pat).sign_count
    assert stored > 0  # this authenticator counts its signatures

    # A copy of the private key, made before that sign-in, in another browser.
    (credential,) = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
        "credentials"
    ]
    clone = open_page(hub, site)
    clone_cdp, clone_id = authenticator(clone)
    clone_cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": clone_id, "credential": {**credential, "signCount": 0}},
    )
    with caplog.at_level(logging.WARNING, logger="compliance_hub.passkeys.services"):
        sign_in_with_passkey(clone)
        expect(clone.get_by_text("That passkey didn't sign you in.")).to_be_visible()
    assert "signature counter did not increase" in caplog.text
    assert Passkey.objects.get(person=portal.pat).sign_count == stored
    failed = Activity.objects.filter(verb=Activity.Verb.SIGN_IN_FAILED).last()
    assert failed is not None and failed.detail["reason"] == "counter"
    expected_refusals(hub, "/sign-in/passkey/")

    # The genuine authenticator, whose counter grows, still signs in.
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)


def test_an_answer_made_for_another_origin_is_refused(hub, site, portal, settings, live_server):
    page = open_page(hub, site, session_of=portal.pat)
    authenticator(page)
    add_passkey(page, "Laptop")
    page.get_by_role("button", name="Sign out").click()

    # Capture the browser's real answer on its way to the hub (the request never arrives).
    captured: list[dict[str, Any]] = []

    def keep(route: Any) -> None:
        captured.append(json.loads(route.request.post_data))
        route.abort()

    page.route("**/sign-in/passkey/", keep)
    sign_in_with_passkey(page)
    expect(page.get_by_role("status").last).to_contain_text("could not use a passkey")
    (answer,) = captured
    expected_refusals(hub, "/sign-in/passkey/")
    key = "passkey:ceremony:" + answer["ceremony"]
    remembered = cache.get(key)
    assert remembered is not None

    # The same answer, checked by a hub at another address: refused (origin and RP ID).
    for elsewhere in (live_server.url, site.rsplit(":", 1)[0] + ":1", "https://localhost"):
        settings.SITE_URL = elsewhere
        cache.set(key, remembered)
        with pytest.raises(services.SignInRefused) as refused:
            services.authenticate(answer["ceremony"], answer["credential"])
        assert refused.value.reason == "invalid", elsewhere
    # At the hub's own address it is good (once: the challenge is then used up).
    settings.SITE_URL = site
    cache.set(key, remembered)
    assert services.authenticate(answer["ceremony"], answer["credential"]).person == portal.pat
    with pytest.raises(services.SignInRefused):
        services.authenticate(answer["ceremony"], answer["credential"])
    assert ceremony.relying_party().id == "localhost"

    # In the browser: a page served from the IP address cannot use the hub's passkey (the
    # browser refuses an RP ID that is not its own host), so nobody is signed in.
    page.unroute("**/sign-in/passkey/")
    ip_page = open_page(hub, live_server.url)
    authenticator(ip_page)
    ip_page.goto("/sign-in/")
    ip_page.get_by_role("button", name="Sign in with a passkey").click()
    expect(ip_page.get_by_role("status").last).to_contain_text("could not use a passkey")
    ip_page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    expect(ip_page.get_by_role("heading", level=1)).to_have_text("Sign in")


def expected_refusals(hub: Hub, path: str) -> None:
    """The hub answered ``path`` with a refusal the test asked for (a 400, or the request the
    test itself cut off): not a page problem."""
    hub.problems.items = [i for i in hub.problems.items if path not in i]


def ask_for_link(page: Page, mailbox: Mailbox, email: str) -> str:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    return link_in(mailbox.wait_for(email, subject="sign-in link"))


def test_a_facility_requiring_a_passkey_has_it_set_up_after_the_link(hub, site, portal, mailbox):
    portal.alder.require_strong_sign_in = True
    portal.alder.save(update_fields=["require_strong_sign_in"])
    page = open_page(hub, site)
    authenticator(page)
    page.goto(ask_for_link(page, mailbox, portal.pat.email))
    # After the link: not the table, the passkey step.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a passkey")
    hub.check_a11y(page, "set up a passkey step")
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a passkey")
    page.get_by_label("Name of the passkey").fill("My laptop")
    page.get_by_role("button", name="Set up the passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)

    # Next time, after the link: confirm with it.
    page.get_by_role("button", name="Sign out").click()
    page.goto(ask_for_link(page, mailbox, portal.pat.email))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm with your passkey")
    hub.check_a11y(page, "confirm with your passkey step")
    page.get_by_role("button", name="Confirm with my passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    page.goto(f"/facilities/{portal.birch.pk}/team/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(portal.birch.name)

    # Or with the passkey alone: no step.
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
