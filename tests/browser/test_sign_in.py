"""Journey 6 (sign out, expired link, used link, the code on another device) and a whole journey
with JavaScript turned off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from compliance_hub.accounts.models import SignInToken
from tests.browser import data
from tests.browser.conftest import Mailbox, code_in, link_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def portal(transactional_db) -> data.Portal:
    return data.portal()


def ask_for_link(page: Page, mailbox: Mailbox, email: str):
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    return mailbox.wait_for(email, subject="sign-in link")


def test_sign_out_then_a_used_link_and_an_expired_link_explain_themselves(hub, mailbox, portal):
    page = hub.new_page()
    email = portal.pat.email
    message = ask_for_link(page, mailbox, email)
    link = link_in(message)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").first).to_contain_text("You are signed out.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    response = page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    assert response is not None
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")  # not the table

    # The same link again: it worked once, so now it explains and offers a new one.
    response = page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    hub.check_a11y(page, "link problem page")

    # A fresh link, left unopened past its time.
    message = ask_for_link(page, mailbox, email)
    SignInToken.objects.filter(email=email, used_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page.goto(link_in(message))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    page.get_by_role("button", name="E-mail me a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    renewed = mailbox.wait_for(email, subject="sign-in link")
    page.goto(link_in(renewed))
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)


def test_the_code_typed_on_the_laptop_and_the_link_opened_on_a_phone(hub, mailbox, portal):
    laptop = hub.new_page()
    message = ask_for_link(laptop, mailbox, portal.pat.email)
    hub.check_a11y(laptop, "check your e-mail page")
    hub.shot(laptop, "check-email")
    # The e-mail is read on a phone; its code is typed on the laptop that asked.
    laptop.get_by_label("Code").fill(code_in(message))
    laptop.get_by_role("button", name="Sign in with the code").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text(portal.alder.name)

    # Another time: the link itself opened on the phone asks before signing in there.
    other = hub.new_page()
    message = ask_for_link(other, mailbox, portal.pat.email)
    phone = hub.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(link_in(message))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in as p…@alder.example")
    hub.check_a11y(phone, "link confirm page")
    hub.shot(phone, "sign-in-confirm", full_page=False)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    # The browser that asked is not signed in by the phone's click.
    other.goto(f"/facilities/{portal.alder.pk}/certificates/")
    expect(other.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_without_javascript_sign_in_switch_filter_and_download(hub, mailbox, portal):
    page = hub.new_page(java_script_enabled=False)
    message = ask_for_link(page, mailbox, portal.pat.email)
    page.goto(link_in(message))
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    # The switcher's "Go" button is there when no script hides it.
    page.get_by_label("Facility").select_option(label=portal.birch.name)
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.birch.name)
    page.get_by_label("From").first.fill("2026-02-01")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"effective_from=2026-02-01"))
    expect(page.locator("table.cert-table tbody .contractor")).to_have_text(["Bob Stone"])
    with page.expect_download() as downloaded:
        page.get_by_role("link", name=re.compile("^Download certificate")).click()
    assert downloaded.value.suggested_filename.startswith("COI_bob-stone_2026-02-10_")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
