"""Shared steps for sign-in tests: ask for a link, read it out of the delivered e-mail."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from compliance_hub.accounts.services import process_sign_in_requests
from compliance_hub.mailer.services import send_due

LINK = re.compile(r"http://testserver(/(?:sign-in|invitations)/[A-Za-z0-9_\-]{20,}/)")
CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})\r?$", re.MULTILINE)


def deliver() -> list[mail.EmailMessage]:
    """Do the worker's round (sign-in requests, then the outbox, locmem backend); return what
    was delivered by this call."""
    before = len(mail.outbox)
    process_sign_in_requests()
    send_due()
    return list(mail.outbox[before:])


def path_in(body: str) -> str:
    match = LINK.search(body)
    assert match, f"no link in:\n{body}"
    return match.group(1)


def code_in(body: str) -> str:
    match = CODE.search(body)
    assert match, f"no code in:\n{body}"
    return match.group(1)


def ask_for_link(client: Client, email: str, next_url: str = "") -> list[mail.EmailMessage]:
    """Submit the sign-in form and deliver the outbox; return the messages it produced."""
    data = {"email": email}
    if next_url:
        data["next"] = next_url
    response = client.post("/sign-in/", data)
    assert response.status_code == 302
    return deliver()


def link_for(client: Client, email: str, next_url: str = "") -> str:
    """Ask for a sign-in link for ``email`` and return its path (``/sign-in/<token>/``)."""
    messages = [m for m in ask_for_link(client, email, next_url) if "sign-in link" in m.subject]
    assert len(messages) == 1, [m.subject for m in messages]
    return path_in(str(messages[0].body))


def is_signed_in(client: Client, email: str | None = None) -> bool:
    user = client.get("/sign-out/").context["user"]
    return bool(user.is_authenticated and (email is None or user.email == email))
