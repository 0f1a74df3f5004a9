"""Sign-in, sign-out and who may receive a sign-in link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken, normalize_email
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.core import ratelimit
from compliance_hub.core.net import client_ip
from compliance_hub.mailer.services import enqueue

log = logging.getLogger(__name__)
BACKEND = "compliance_hub.accounts.backends.PersonBackend"


def has_access(person: Person) -> bool:
    """Whether a sign-in link is worth sending: an active operator, partner staff or member."""
    if not person.is_active:
        return False
    return (
        person.is_staff
        or person.partner_roles.exists()
        or person.memberships.filter(revoked_at__isnull=True).exists()
    )


def request_sign_in(
    request: HttpRequest, email: str, *, browser_value: str, next_url: str = ""
) -> None:
    """Send a sign-in link if the address has access and no rate limit is hit.

    Says nothing either way: the caller shows the same answer whatever happened.
    """
    address = normalize_email(email)
    if not within_limits(request, address):
        return
    person = Person.objects.get_by_email(address)
    if person is None or not has_access(person):
        return
    send_sign_in_link(person, request=request, browser_value=browser_value, next_url=next_url)


def within_limits(request: HttpRequest, address: str) -> bool:
    """Count one sign-in request against the per-address and per-IP limits."""
    hour = 3600
    by_address = ratelimit.hit(
        "sign-in:address", address, limit=settings.SIGN_IN_RATE_PER_ADDRESS, window=hour
    )
    by_ip = ratelimit.hit(
        "sign-in:ip",
        client_ip(request) or "unknown",
        limit=settings.SIGN_IN_RATE_PER_IP,
        window=hour,
    )
    if not (by_address.allowed and by_ip.allowed):
        log.info("Sign-in request over the rate limit; nothing sent")
        return False
    return True


def send_sign_in_link(
    person: Person,
    *,
    request: HttpRequest | None = None,
    browser_value: str = "",
    next_url: str = "",
    ttl: int | None = None,
) -> tokens.Issued:
    """Issue a sign-in link (and code) and queue the e-mail to the person's stored address."""
    ttl = ttl or settings.SIGN_IN_LINK_TTL
    with transaction.atomic():
        issued = tokens.issue(
            purpose=SignInToken.Purpose.SIGN_IN,
            email=person.email,
            person=person,
            ttl=ttl,
            browser_value=browser_value,
            next_url=next_url,
            with_code=True,
        )
        enqueue(
            to=person.email,
            subject=f"Your sign-in link for {settings.HUB_NAME}",
            template="accounts/email/sign_in",
            context={
                "person": person,
                "link": link_url(issued.raw),
                "code": tokens.format_code(issued.code),
                "expires_at": issued.token.expires_at,
                "valid_for": describe_duration(ttl),
            },
            sensitive=True,
        )
        record(Activity.Verb.SIGN_IN_REQUESTED, request=request, actor=person)
    return issued


def link_url(raw: str) -> str:
    """The absolute address of a sign-in link."""
    return settings.SITE_URL + reverse("accounts:sign_in_link", args=[raw])


def describe_duration(seconds: int) -> str:
    """``600`` → ``10 minutes``; ``604799`` → ``7 days``; ``5400`` → ``90 minutes``."""
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = round(seconds / 60)
    for unit, size in (("day", 1440), ("hour", 60)):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def sign_in_with(request: HttpRequest, token: SignInToken, *, method: str) -> bool:
    """Use the token up and sign its person in; False if someone else used it first."""
    person = token.person
    if person is None or not person.is_active:
        return False
    with transaction.atomic():
        if not tokens.consume(token):
            return False
        tokens.invalidate_sign_in_links(person, keep=token)
        start_session(request, person, method=method)
    return True


def start_session(request: HttpRequest, person: Person, *, method: str) -> None:
    """``django.contrib.auth.login`` (new session key and CSRF token) plus the activity record."""
    login(request, person, backend=BACKEND)
    record(Activity.Verb.SIGNED_IN, request=request, actor=person, detail={"method": method})


def record_failure(
    request: HttpRequest, reason: str, *, person: Person | None = None, purpose: str = ""
) -> None:
    """Write a failed or expired sign-in attempt to the activity log."""
    detail = {"reason": reason}
    if purpose:
        detail["purpose"] = purpose
    record(
        Activity.Verb.SIGN_IN_FAILED,
        request=request,
        actor=person,
        actor_label="" if person is not None else "anonymous",
        detail=detail,
    )


def sign_out(request: HttpRequest) -> None:
    """End this session."""
    person = request.user
    if person.is_authenticated:
        record(Activity.Verb.SIGNED_OUT, request=request, actor=person)
    logout(request)


def sign_out_everywhere(request: HttpRequest) -> None:
    """End every session of the signed-in person, and use up their outstanding sign-in links.

    Sessions carry a hash of the person's (unusable, random) password; replacing it makes
    Django drop every other session on its next request.
    """
    person = request.user
    if not isinstance(person, Person):
        return
    with transaction.atomic():
        person.set_unusable_password()
        person.save(update_fields=["password"])
        tokens.invalidate_sign_in_links(person)
        record(Activity.Verb.SIGNED_OUT, request=request, actor=person, detail={"everywhere": True})
    logout(request)


def mask_email(email: str) -> str:
    """``jamie.lee@example.com`` → ``j…@example.com`` (enough to recognise, not to harvest)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"
