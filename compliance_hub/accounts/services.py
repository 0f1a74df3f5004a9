"""Sign-in, sign-out and who may receive a sign-in link.

Functions that do not manage the session take plain values (``ip``, the browser's hash);
``sign_in_with``, ``start_session`` and the sign-out functions take the request because
``django.contrib.auth.login``/``logout`` work on its session.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInRequest, SignInToken, normalize_email
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.core import ratelimit
from compliance_hub.core.net import client_ip
from compliance_hub.mailer.services import enqueue

log = logging.getLogger(__name__)
HOUR, DAY = 3600, 86400
SIGN_IN_METHOD = "hub_sign_in_method"  # session key: how this session signed in
STRONG_METHODS = frozenset({"passkey", "oidc"})  # phishing-resistant, or the organisation's own


def has_access(person: Person) -> bool:
    """Whether a sign-in link is worth sending: an active operator, partner staff, member or
    auditor (a grant neither revoked nor expired)."""
    if not person.is_active:
        return False
    return (
        person.is_staff
        or person.partner_roles.exists()
        or person.memberships.filter(revoked_at__isnull=True).exists()
        or person.auditor_grants.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    )


def request_sign_in(
    email: str,
    *,
    ip: str | None,
    browser_hash: str = "",
    recognised: bool = False,
    next_url: str = "",
) -> None:
    """Accept a request for a sign-in link, unless a rate limit is hit; say nothing either way.

    The same work whatever the address: it is stored for the worker, which looks the address
    up and sends a link if it has access (``process_sign_in_requests``). ``recognised``: the
    browser signed in as this address before, so the anonymous per-address limits skip it.
    """
    address = normalize_email(email)
    if not within_limits(address, ip=ip, recognised=recognised):
        return
    SignInRequest.objects.create(email=address, browser_hash=browser_hash, next_url=next_url, ip=ip)
    if settings.MAIL_SEND_ON_COMMIT:  # the demo has no worker
        transaction.on_commit(process_sign_in_requests)


def within_limits(address: str, *, ip: str | None, recognised: bool = False) -> bool:
    """Count one request for a link against the client and, unless the browser is recognised,
    the address; each bucket in turn, stopping at the first one full (so a client over its own
    limit no longer uses up the address's)."""
    client = ip or "unknown"
    buckets = [("sign-in:ip", client, settings.SIGN_IN_RATE_PER_IP, HOUR)]
    if not recognised:
        per_client = settings.SIGN_IN_RATE_PER_ADDRESS_AND_IP
        buckets += [
            ("sign-in:address+ip", f"{address} {client}", per_client, HOUR),
            ("sign-in:address", address, settings.SIGN_IN_RATE_PER_ADDRESS, HOUR),
            ("sign-in:address", address, settings.SIGN_IN_RATE_PER_ADDRESS_DAY, DAY),
        ]
    return _charge(buckets)


def _charge(buckets: list[tuple[str, str, int, int]]) -> bool:
    for scope, subject, limit, window in buckets:
        if not ratelimit.hit(scope, subject, limit=limit, window=window).allowed:
            log.info("Sign-in request over the rate limit (%s, %ss); nothing sent", scope, window)
            return False
    return True


def process_sign_in_requests(limit: int = 50) -> int:
    """The worker's half of a request: send a link if the address has access. Returns how
    many requests were handled. Each is claimed by deleting it in the transaction that sends,
    so parallel workers never handle one twice and a failure leaves it for the next round."""
    handled = 0
    for pending in SignInRequest.objects.order_by("pk")[:limit]:
        try:
            with transaction.atomic():
                if not SignInRequest.objects.filter(pk=pending.pk).delete()[0]:
                    continue  # another worker has it
                person = Person.objects.get_by_email(pending.email)
                if person is not None and has_access(person):
                    send_sign_in_link(
                        person,
                        ip=pending.ip,
                        browser_hash=pending.browser_hash,
                        next_url=pending.next_url,
                    )
        except Exception:  # left for the next round; never stops the others (or a request)
            log.exception("Sign-in request %s failed; will retry", pending.pk)
            continue
        handled += 1
    return handled


def send_sign_in_link(
    person: Person,
    *,
    ip: str | None = None,
    browser_hash: str = "",
    next_url: str = "",
    ttl: int | None = None,
) -> tokens.Issued | None:
    """Issue a sign-in link (and code) and queue the e-mail to the person's stored address.

    None when the address already received ``SIGN_IN_MAIL_PER_HOUR``/``_PER_DAY`` sign-in
    e-mails, whoever asked for them.
    """
    if not _charge(
        [
            ("sign-in:mail", person.email, settings.SIGN_IN_MAIL_PER_HOUR, HOUR),
            ("sign-in:mail", person.email, settings.SIGN_IN_MAIL_PER_DAY, DAY),
        ]
    ):
        return None
    ttl = ttl or settings.SIGN_IN_LINK_TTL
    with transaction.atomic():
        issued = tokens.issue(
            purpose=SignInToken.Purpose.SIGN_IN,
            email=person.email,
            person=person,
            ttl=ttl,
            browser_hash=browser_hash,
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
        record(Activity.Verb.SIGN_IN_REQUESTED, actor=person, ip=ip)
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


def check_code(browser: str, nonce: str, typed: str) -> tuple[SignInToken | None, int]:
    """The token whose code was typed in the browser that asked (or None), and the tries left.

    Tries are counted per request for a link (``nonce``) in the cache before the comparison,
    and nothing is written to the database: the same work whether or not the address has an
    account (a wrong code is not an activity record for that reason; a dead code is logged).
    """
    limit = settings.SIGN_IN_CODE_ATTEMPTS
    tries = ratelimit.tally("sign-in:code", nonce, ttl=settings.SIGN_IN_LINK_TTL)
    if tries > limit:
        return None, 0
    token = tokens.match_code(browser, typed)
    if token is None and tries == limit:
        log.info("A sign-in code was tried %s times; it no longer works", limit)
    return token, limit - tries


def code_tries_left(nonce: str) -> int:
    used = ratelimit.tally("sign-in:code", nonce, ttl=settings.SIGN_IN_LINK_TTL, add=False)
    return max(0, settings.SIGN_IN_CODE_ATTEMPTS - used)


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


def start_session(
    request: HttpRequest, person: Person, *, method: str, detail: dict[str, str] | None = None
) -> None:
    """``django.contrib.auth.login`` (new session key and CSRF token) plus the activity record
    (``detail`` adds to it, e.g. the single sign-on provider).

    The session keeps ``method``: a facility or partner requiring a passkey or single sign-on
    accepts only a session whose method is in ``STRONG_METHODS`` (compliance_hub/passkeys)."""
    login(request, person)
    request.session[SIGN_IN_METHOD] = method
    record(
        Activity.Verb.SIGNED_IN,
        actor=person,
        ip=client_ip(request),
        detail={**(detail or {}), "method": method},
    )


def record_failure(
    reason: str, *, ip: str | None, person: Person | None = None, purpose: str = ""
) -> bool:
    """Count a failed or expired sign-in attempt against the client; False once it is over
    ``SIGN_IN_FAILURES_PER_IP`` an hour.

    Under the limit, a failure naming a person (a real link, used or expired) is written to
    the activity log, an anonymous one (a made-up link) only if it is the client's first
    failure of the hour: the rest are counted, and crossing the limit is logged.
    """
    decision = ratelimit.hit(
        "sign-in:failure", ip or "unknown", limit=settings.SIGN_IN_FAILURES_PER_IP, window=HOUR
    )
    if decision.count == decision.limit + 1:
        log.warning("Client %s over the limit of failed sign-in attempts", ip or "unknown")
    if decision.allowed and (person is not None or decision.count == 1):
        detail = {"reason": reason}
        if purpose:
            detail["purpose"] = purpose
        record(
            Activity.Verb.SIGN_IN_FAILED,
            actor=person,
            ip=ip,
            actor_label="" if person is not None else "anonymous",
            detail=detail,
        )
    return decision.allowed


def sign_out(request: HttpRequest) -> None:
    """End this session."""
    person = request.user
    if person.is_authenticated:
        record(Activity.Verb.SIGNED_OUT, actor=person, ip=client_ip(request))
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
        record(
            Activity.Verb.SIGNED_OUT,
            actor=person,
            ip=client_ip(request),
            detail={"everywhere": True},
        )
    logout(request)


def mask_email(email: str) -> str:
    """``jamie.lee@example.com`` → ``j…@example.com`` (enough to recognise, not to harvest)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"
