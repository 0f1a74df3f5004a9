"""The sign-in form: neutral answers, rate limits, where the e-mail goes."""

import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client

from compliance_hub.accounts.models import SignInRequest, SignInToken
from compliance_hub.accounts.services import process_sign_in_requests
from compliance_hub.activity.models import Activity
from compliance_hub.core.worker import run_once
from compliance_hub.mailer.models import OutboundEmail
from tests import factories
from tests.accounts.helpers import ask_for_link, code_in, deliver, path_in

pytestmark = pytest.mark.django_db


def _normalise(response, address: str) -> tuple:
    """What a visitor can observe of an answer, with the typed address taken out."""
    cookies = {
        name: (m["max-age"], m["httponly"], m["samesite"]) for name, m in response.cookies.items()
    }
    body = response.content.decode().replace(address, "ADDRESS").replace(quote(address), "ADDRESS")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)  # random per page
    return response.status_code, response.get("Location"), sorted(cookies.items()), body


def test_form_page(client: Client):
    response = client.get("/sign-in/?next=/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_email">E-mail address</label>' in body
    assert 'name="next" value="/admin/"' in body
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_known_address_gets_link_and_code(facility):
    person = factories.member(facility, factories.person("dana@example.com", name="Dana"))
    messages = ask_for_link(Client(), "dana@example.com")
    assert len(messages) == 1
    message = messages[0]
    assert message.to == ["dana@example.com"]
    assert "sign-in link" in message.subject
    assert path_in(message.body).startswith("/sign-in/")
    assert code_in(message.body)
    assert "10 minutes" in message.body
    assert "Didn't ask for this? Ignore this e-mail" in message.body
    html = message.alternatives[0][0]
    assert path_in(html) == path_in(message.body)
    token = SignInToken.objects.get(person=person)
    raw = path_in(message.body).split("/")[2]
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert Activity.objects.filter(verb="sign_in_requested", actor=person).count() == 1


def test_unknown_and_known_addresses_get_identical_answers(facility):
    factories.member(facility, factories.person("known@example.com"))
    known_client, unknown_client = Client(), Client()
    known = known_client.post("/sign-in/", {"email": "known@example.com"})
    unknown = unknown_client.post("/sign-in/", {"email": "nobody@example.com"})
    assert _normalise(known, "known@example.com") == _normalise(unknown, "nobody@example.com")
    known_page = known_client.get(known["Location"])
    unknown_page = unknown_client.get(unknown["Location"])
    assert "a sign-in link is on its way" in known_page.content.decode()
    assert _normalise(known_page, "known@example.com") == _normalise(
        unknown_page, "nobody@example.com"
    )
    assert [m.to for m in deliver()] == [["known@example.com"]]


def test_person_without_access_gets_nothing(facility):
    factories.person("former@example.com")  # no membership, not staff, not partner staff
    inactive = factories.member(facility, factories.person("inactive@example.com"))
    inactive.is_active = False
    inactive.save()
    ask_for_link(Client(), "former@example.com")
    ask_for_link(Client(), "inactive@example.com")
    assert OutboundEmail.objects.count() == 0
    assert SignInToken.objects.count() == 0


def test_address_is_normalised_and_mail_goes_to_stored_address(facility):
    factories.member(facility, factories.person("mixed@example.com"))
    messages = ask_for_link(Client(), "  MiXed@Example.COM ")
    assert [m.to for m in messages] == [["mixed@example.com"]]


def test_similar_address_is_not_matched(facility):
    factories.member(facility, factories.person("pat@example.com"))
    assert ask_for_link(Client(), "pat@example.com.evil.test") == []
    assert ask_for_link(Client(), "pat+x@example.com") == []


def test_invalid_address_shows_field_error(client: Client):
    response = client.post("/sign-in/", {"email": "not-an-address"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter an e-mail address like name@example.com." in body
    assert 'aria-invalid="true"' in body
    assert OutboundEmail.objects.count() == 0


def test_rate_limit_per_address(facility, settings):
    settings.SIGN_IN_RATE_PER_ADDRESS = 3
    factories.member(facility, factories.person("busy@example.com"))
    answers = []
    for _ in range(5):
        client = Client()  # a fresh browser each time: the limit is on the address
        response = client.post("/sign-in/", {"email": "busy@example.com"})
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1  # the same neutral answer every time
    assert len(deliver()) == 3


def test_rate_limit_per_ip(facility, settings):
    settings.SIGN_IN_RATE_PER_IP = 2
    for i in range(4):
        factories.member(facility, factories.person(f"ip{i}@example.com"))
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(4):
        response = client.post("/sign-in/", {"email": f"ip{i}@example.com"})
        assert response.status_code == 302
    assert len(deliver()) == 2
    other = Client(REMOTE_ADDR="203.0.113.8")
    other.post("/sign-in/", {"email": "ip3@example.com"})
    assert [m.to for m in deliver()] == [["ip3@example.com"]]


def test_forwarded_for_is_ignored_without_trusted_proxies(facility, settings):
    settings.SIGN_IN_RATE_PER_IP = 1
    for i in range(2):
        factories.member(facility, factories.person(f"xff{i}@example.com"))
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.post("/sign-in/", {"email": "xff0@example.com"}, HTTP_X_FORWARDED_FOR="198.51.100.1")
    client.post("/sign-in/", {"email": "xff1@example.com"}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert len(deliver()) == 1


def test_asking_twice_keeps_the_first_link_working(facility):
    factories.member(facility, factories.person("twice@example.com"))
    client = Client()
    first = path_in(ask_for_link(client, "twice@example.com")[0].body)
    second = path_in(ask_for_link(client, "twice@example.com")[0].body)
    assert first != second
    other_device = Client()
    other_device.get(first)
    response = other_device.post("/sign-in/confirm/")
    assert response.status_code == 302
    # ...and signing in with the first one used up the second.
    third_device = Client()
    third_device.get(second)
    assert third_device.get("/sign-in/confirm/").status_code == 410


def test_the_worker_looks_the_address_up_and_sends_in_one_round(facility):
    """The request only stores what was asked; one worker round sends the link."""
    factories.member(facility, factories.person("queued@example.com"))
    Client().post("/sign-in/", {"email": "queued@example.com"})
    Client().post("/sign-in/", {"email": "nobody@example.com"})
    assert mail.outbox == [] and not OutboundEmail.objects.exists()
    assert not SignInToken.objects.exists()
    assert SignInRequest.objects.count() == 2
    run_once()
    assert [m.to for m in mail.outbox] == [["queued@example.com"]]
    assert not SignInRequest.objects.exists()
    assert process_sign_in_requests() == 0  # each request is handled once


def test_without_a_worker_the_link_is_sent_right_after_the_request(
    facility, settings, django_capture_on_commit_callbacks
):
    """The demo (MAIL_SEND_ON_COMMIT) has no worker process."""
    settings.MAIL_SEND_ON_COMMIT = True
    factories.member(facility, factories.person("demo@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/sign-in/", {"email": "demo@example.com"})
    assert [m.to for m in mail.outbox] == [["demo@example.com"]]
    assert not SignInRequest.objects.exists()
