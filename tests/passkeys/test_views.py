"""The passkeys page and the ceremony endpoints as a browser meets them (the real WebAuthn
answers come from Chromium's virtual authenticator in tests/browser/test_passkeys.py)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from compliance_hub.activity.kinds import headline
from compliance_hub.activity.models import Activity
from compliance_hub.passkeys.models import Passkey
from tests import factories
from tests.passkeys.helpers import client_signed_in, passkey

pytestmark = pytest.mark.django_db
REFUSED = "That passkey didn't sign you in. Try again, or ask for an e-mailed link."


@pytest.fixture
def person():
    facility = factories.facility()
    return factories.member(facility, factories.person("sam@example.com", name="Sam Lee"))


def post_json(client: Client, url: str, body: object) -> object:
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def test_sign_in_options_name_no_account_and_store_nothing_in_a_session():
    client = Client()
    response = client.post("/sign-in/passkey/options/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    options = response.json()["publicKey"]
    assert options["rpId"] == "testserver"  # the host of SITE_URL
    assert options["allowCredentials"] == []  # discoverable: the authenticator offers them
    assert options["userVerification"] == "preferred"
    assert len(options["challenge"]) >= 43
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_registration_options_ask_for_a_discoverable_passkey(person):
    existing = passkey(person)
    client = client_signed_in(person, "link")
    options = client.post("/passkeys/register/options/").json()["publicKey"]
    assert options["rp"] == {"id": "testserver", "name": settings.HUB_NAME}
    assert options["user"]["name"] == "sam@example.com"
    assert options["user"]["displayName"] == "Sam Lee"
    assert "sam" not in options["user"]["id"]  # a random handle, not the address
    assert options["user"]["id"] == existing.user_handle  # the same for all their passkeys
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert [c["id"] for c in options["excludeCredentials"]] == [existing.credential_id]


HOSTILE = [
    b"",
    b"not json",
    b"[]",
    b'"text"',
    b"\xff\xfe",
    b"{" * 5000,
    json.dumps({"ceremony": None, "credential": None}).encode(),
    json.dumps({"ceremony": "x" * 30, "credential": {"rawId": "AAAA"}}).encode(),
    json.dumps({"ceremony": ["a"], "credential": "string"}).encode(),
    json.dumps({"ceremony": "y" * 30, "credential": {"rawId": 5, "response": []}}).encode(),
    json.dumps({"credential": {"rawId": "\ud800"}}).encode("utf-8", "surrogatepass"),
    b'{"ceremony": "' + b"z" * 100_000 + b'"}',
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_answers_are_refused_with_the_same_words(body):
    response = post_json(Client(), "/sign-in/passkey/", body)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": REFUSED}


@pytest.mark.parametrize("url", ["/passkeys/register/", "/passkeys/confirm/"])
@pytest.mark.parametrize("body", HOSTILE[:10])
def test_hostile_answers_signed_in_are_refused(person, url, body):
    response = post_json(client_signed_in(person, "link"), url, body)
    assert response.status_code == 400


def test_a_real_ceremony_with_a_made_up_answer_uses_the_challenge_up(person):
    client = Client()
    ceremony = client.post("/sign-in/passkey/options/").json()["ceremony"]
    known = passkey(person)
    answer = {
        "ceremony": ceremony,
        "credential": {
            "id": known.credential_id,
            "rawId": known.credential_id,
            "type": "public-key",
            "response": {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"},
        },
    }
    assert post_json(client, "/sign-in/passkey/", answer).json()["message"] == REFUSED
    failed = Activity.objects.get(verb=Activity.Verb.SIGN_IN_FAILED)
    assert failed.actor == person and failed.detail == {"reason": "invalid", "purpose": "passkey"}
    # The challenge is gone: the same answer again fails before any passkey is looked at.
    assert post_json(client, "/sign-in/passkey/", answer).status_code == 400
    assert Activity.objects.filter(verb=Activity.Verb.SIGN_IN_FAILED).count() == 1  # anonymous,
    # and not the client's first failure of the hour: counted, not recorded.
    known.refresh_from_db()
    assert known.sign_count == 0 and known.last_used_at is None


@pytest.mark.parametrize("handle", ["other", "!!", {"a": 1}])
def test_an_answer_naming_another_user_handle_is_refused(person, handle):
    """WebAuthn §7.2: the answer's userHandle must be the passkey owner's (py_webauthn does
    not check it); a malformed response is refused too, never a 5xx."""
    someone = passkey(factories.person("kim@example.com"))
    known = passkey(person)
    client = Client()
    ceremony = client.post("/sign-in/passkey/options/").json()["ceremony"]
    response = {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"}
    response["userHandle"] = someone.user_handle if handle == "other" else handle
    answer = {
        "ceremony": ceremony,
        "credential": {
            "id": known.credential_id,
            "rawId": known.credential_id,
            "type": "public-key",
            "response": response,
        },
    }
    assert post_json(client, "/sign-in/passkey/", answer).json()["message"] == REFUSED
    failed = Activity.objects.get(verb=Activity.Verb.SIGN_IN_FAILED)
    assert failed.detail == {"reason": "user handle", "purpose": "passkey"}
    ceremony = client.post("/sign-in/passkey/options/").json()["ceremony"]
    answer["ceremony"], answer["credential"]["response"] = ceremony, "not an object"
    assert post_json(client, "/sign-in/passkey/", answer).status_code == 400


def test_failures_and_ceremonies_are_rate_limited(settings):
    settings.SIGN_IN_FAILURES_PER_IP = 3
    settings.PASSKEY_CEREMONIES_PER_IP = 4
    client = Client()
    statuses = [post_json(client, "/sign-in/passkey/", {}).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    options = [client.post("/sign-in/passkey/options/").status_code for _ in range(5)]
    assert options == [200, 200, 200, 200, 429]


def test_the_passkeys_page_lists_renames_and_removes_with_a_confirmation(person):
    laptop = passkey(person, "Laptop")
    client = client_signed_in(person, "link")
    page = client.get("/passkeys/").content.decode()
    assert "Laptop" in page and "Never" in page
    assert "Adding a passkey needs JavaScript" in page  # until passkeys.js finds support
    assert (
        client.post(f"/passkeys/{laptop.pk}/rename/", {"name": "  Work   laptop "}).status_code
        == 302
    )
    laptop.refresh_from_db()
    assert laptop.name == "Work laptop"
    response = client.post(f"/passkeys/{laptop.pk}/rename/", {"name": " "}, follow=True)
    assert "Give the passkey a name" in response.content.decode()

    confirm = client.get(f"/passkeys/{laptop.pk}/remove/").content.decode()
    assert "Remove the passkey “Work laptop”?" in confirm
    assert Passkey.objects.filter(pk=laptop.pk).exists()  # a GET removes nothing
    response = client.post(f"/passkeys/{laptop.pk}/remove/", follow=True)
    assert "It can no longer sign you in." in response.content.decode()
    assert not Passkey.objects.filter(pk=laptop.pk).exists()
    record = Activity.objects.get(detail__passkey="removed")
    assert headline(record) == "Removed a passkey" and record.target == "Work laptop"


def test_another_persons_passkey_is_a_404(person):
    theirs = passkey(factories.person())
    client = client_signed_in(person, "link")
    assert client.get(f"/passkeys/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/passkeys/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/passkeys/{theirs.pk}/rename/", {"name": "Mine"}).status_code == 404
    assert Passkey.objects.filter(pk=theirs.pk, name="Phone").exists()


def test_the_sign_in_page_offers_a_passkey_only_through_the_script():
    page = Client().get("/sign-in/?next=/partner/").content.decode()
    assert 'src="/static/passkeys/passkeys.js"' in page
    form = page[page.index("data-passkey-get") - 200 :]
    assert "hidden>" in form[: form.index("Sign in with a passkey")]
    assert 'name="next" value="/partner/"' in page
