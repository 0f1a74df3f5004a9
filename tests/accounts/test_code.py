"""The one-time code: for the browser that asked, three wrong tries and it is dead."""

import pytest
from django.test import Client

from compliance_hub.accounts.models import SignInToken
from compliance_hub.activity.models import Activity
from tests import factories
from tests.accounts.helpers import ask_for_link, code_in, is_signed_in, path_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kim(facility):
    return factories.member(facility, factories.person("kim@example.com"))


def _wrong(code: str) -> str:
    return ("B" if code[0] != "B" else "C") + code[1:]


def test_code_signs_in_the_asking_browser(kim, facility):
    laptop = Client()
    messages = ask_for_link(laptop, kim.email, next_url=f"/facilities/{facility.pk}/team/")
    code = code_in(messages[0].body)
    page = laptop.get("/sign-in/sent/")
    assert "Enter the code from the e-mail here instead" in page.content.decode()
    response = laptop.post("/sign-in/code/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"] == f"/facilities/{facility.pk}/team/"
    assert is_signed_in(laptop, kim.email)
    assert Activity.objects.get(verb="signed_in").detail == {"method": "code"}
    # The code and the link are one: the link is used up too.
    assert SignInToken.objects.get().used_at is not None


def test_code_does_not_work_in_another_browser(kim):
    code = code_in(ask_for_link(Client(), kim.email)[0].body)
    other = Client()
    other.post("/sign-in/", {"email": "someone@example.com"})  # has a cookie, for another token
    response = other.post("/sign-in/code/", {"code": code})
    assert response.status_code == 400
    assert not is_signed_in(other)


def test_three_wrong_tries_kill_the_code(kim):
    laptop = Client()
    code = code_in(ask_for_link(laptop, kim.email)[0].body)
    first = laptop.post("/sign-in/code/", {"code": _wrong(code)})
    assert first.status_code == 400
    assert "You have 2 more tries" in first.content.decode()
    second = laptop.post("/sign-in/code/", {"code": _wrong(code)})
    assert "You have 1 more try" in second.content.decode()
    third = laptop.post("/sign-in/code/", {"code": _wrong(code)})
    assert "That code no longer works" in third.content.decode()
    assert 'name="code"' not in third.content.decode()  # the form is gone
    fourth = laptop.post("/sign-in/code/", {"code": code})  # even the right one
    assert fourth.status_code == 400
    assert not is_signed_in(laptop)
    # Counted, not recorded: a record only for addresses with an account would tell them apart.
    assert not Activity.objects.filter(verb="sign_in_failed").exists()


def test_dead_code_is_dead_even_in_a_fresh_session(kim):
    """The tries are counted on the server, not in a session a guesser could throw away."""
    laptop = Client()
    code = code_in(ask_for_link(laptop, kim.email)[0].body)
    cookie = laptop.cookies["hub_signin"].value
    for _ in range(3):
        laptop.post("/sign-in/code/", {"code": _wrong(code)})
    fresh = Client()
    fresh.cookies["hub_signin"] = cookie
    assert fresh.post("/sign-in/code/", {"code": code}).status_code == 400
    assert not is_signed_in(fresh)


def test_asking_again_gives_fresh_tries(kim):
    laptop = Client()
    ask_for_link(laptop, kim.email)
    for _ in range(3):
        laptop.post("/sign-in/code/", {"code": "AAAA-AAAA"})
    code = code_in(ask_for_link(laptop, kim.email)[0].body)
    assert laptop.post("/sign-in/code/", {"code": code}).status_code == 302
    assert is_signed_in(laptop, kim.email)


def test_a_browser_that_asked_for_nothing_is_told_so(kim):
    response = Client().post("/sign-in/code/", {"code": "AAAA-AAAA"})
    assert response.status_code == 400
    assert "This browser has no code waiting" in response.content.decode()


def test_link_still_works_after_wrong_codes(kim):
    laptop = Client()
    messages = ask_for_link(laptop, kim.email)
    code = code_in(messages[0].body)
    laptop.post("/sign-in/code/", {"code": _wrong(code)})

    phone = Client()
    phone.get(path_in(messages[0].body))
    phone.post("/sign-in/confirm/")
    assert is_signed_in(phone, kim.email)


def test_wrong_code_answer_is_the_same_for_unknown_addresses(kim):
    known, unknown = Client(), Client()
    ask_for_link(known, kim.email)
    ask_for_link(unknown, "ghost@example.com")
    a = known.post("/sign-in/code/", {"code": "AAAA-AAAA"})
    b = unknown.post("/sign-in/code/", {"code": "AAAA-AAAA"})
    assert a.status_code == b.status_code == 400
    assert "You have 2 more tries" in a.content.decode()
    assert "You have 2 more tries" in b.content.decode()


def test_code_works_only_within_the_link_lifetime(kim):
    from datetime import timedelta

    from django.utils import timezone

    laptop = Client()
    code = code_in(ask_for_link(laptop, kim.email)[0].body)
    SignInToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert laptop.post("/sign-in/code/", {"code": code}).status_code == 400
    assert not is_signed_in(laptop)


def test_empty_code_is_a_field_error(kim):
    laptop = Client()
    ask_for_link(laptop, kim.email)
    response = laptop.post("/sign-in/code/", {"code": ""})
    assert response.status_code == 400
    assert "Enter the code from the e-mail." in response.content.decode()
