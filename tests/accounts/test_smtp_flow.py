"""The whole journey through a real SMTP server on loopback (aiosmtpd)."""

import pytest
from django.test import Client

from compliance_hub.accounts.services import process_sign_in_requests
from compliance_hub.facilities.invitations import By, invite
from compliance_hub.mailer.services import send_due
from tests import factories
from tests.accounts.helpers import code_in, is_signed_in, path_in
from tests.mailer.smtp import LoopbackSMTP, text_body, use_smtp

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def smtp(settings):
    server = LoopbackSMTP()
    server.start()
    use_smtp(settings, server.port)
    yield server
    server.stop()


def test_sign_in_by_link_read_from_the_delivered_message(smtp, facility):
    person = factories.member(facility, factories.person("morgan@example.com", name="Morgan"))
    laptop = Client()
    assert laptop.post("/sign-in/", {"email": "Morgan@Example.com"}).status_code == 302
    assert smtp.messages == []  # stored, not sent inline
    assert process_sign_in_requests() == 1  # the worker's round
    assert send_due() == 1
    [message] = smtp.messages
    assert message["To"] == "morgan@example.com"
    assert "sign-in link" in message["Subject"]
    assert message["Message-ID"]
    body = text_body(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    path = path_in(body)
    assert path in html

    phone = Client()  # opened on another device: asks first
    page = phone.get(path, follow=True)
    assert "Sign in as m…@example.com" in page.content.decode()
    assert not is_signed_in(phone)
    phone.post("/sign-in/confirm/")
    assert is_signed_in(phone, person.email)
    assert send_due() == 0  # nothing sent twice
    assert len(smtp.messages) == 1


def test_sign_in_by_code_read_from_the_delivered_message(smtp, facility):
    person = factories.member(facility, factories.person("code@example.com"))
    laptop = Client()
    laptop.post("/sign-in/", {"email": person.email})
    process_sign_in_requests()
    send_due()
    code = code_in(text_body(smtp.messages[0]))
    laptop.post("/sign-in/code/", {"code": code})
    assert is_signed_in(laptop, person.email)


def test_invitation_accepted_from_the_delivered_message(smtp, facility):
    inviter = factories.member(facility, factories.person("boss@example.com", name="Sam Boss"))
    invite(email="new.hire@example.com", facilities=[facility], role="member", by=By(inviter))
    assert send_due() == 1
    [message] = smtp.messages
    assert message["To"] == "new.hire@example.com"
    assert "Sam Boss" in message["Subject"] and facility.name in message["Subject"]
    body = text_body(message)
    assert "7 days" in body
    assert "ignore this e-mail" in body.lower()
    browser = Client()
    page = browser.get(path_in(body), follow=True)
    assert facility.name in page.content.decode()
    browser.post("/invitations/accept/")
    assert is_signed_in(browser, "new.hire@example.com")
    assert browser.get(f"/facilities/{facility.pk}/team/").status_code == 200
