"""Signing in with a passkey alone, and confirming with one after the e-mailed link."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.accounts import services as accounts
from compliance_hub.accounts import sessions
from compliance_hub.accounts.redirects import after_sign_in, safe_next
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.core import ratelimit
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import person_of
from compliance_hub.passkeys import policy, queries, services
from compliance_hub.passkeys.forms import PasskeyNameForm
from compliance_hub.passkeys.views.json import answer, body, refused

# The same words for every refusal: which check failed (unknown passkey, signature, counter,
# no access) would tell a stranger something about an account.
REFUSED = "That passkey didn't sign you in. Try again, or ask for an e-mailed link."
TOO_MANY = "Too many tries from your network. Wait a while, or ask for an e-mailed link."


def _within_limit(request: HttpRequest) -> bool:
    decision = ratelimit.hit(
        "passkey:ceremony",
        client_ip(request) or "unknown",
        limit=settings.PASSKEY_CEREMONIES_PER_IP,
        window=accounts.HOUR,
    )
    return decision.allowed


@require_POST
def sign_in_options(request: HttpRequest) -> HttpResponse:
    """A challenge for the sign-in page. Nothing is stored in a session (there is none yet)."""
    if not _within_limit(request):
        return refused(TOO_MANY, status=429)
    return answer({"ok": True, **services.begin_sign_in()})


@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    """Verify the passkey's answer; sign its person in (``start_session``, method "passkey")."""
    ip = client_ip(request)
    data = body(request)
    if data is None:
        return refused(REFUSED)
    try:
        passkey = services.authenticate(data.get("ceremony"), data.get("credential"))
    except services.SignInRefused as exc:
        person = exc.passkey.person if exc.passkey is not None else None
        allowed = accounts.record_failure(exc.reason, ip=ip, person=person, purpose="passkey")
        return refused(REFUSED if allowed else TOO_MANY, status=400 if allowed else 429)
    person = passkey.person
    accounts.start_session(request, person, method="passkey")
    next_url = data.get("next") if isinstance(data.get("next"), str) else ""
    destination = after_sign_in(next_url)
    # The JSON answer carries the cookies a sign-in sets (``hub_known``, ``hub_signin`` gone).
    redirect_response = sessions.signed_in(person.email, destination)
    response = answer({"ok": True, "redirect": destination})
    response.cookies = redirect_response.cookies
    return response


@login_required
@require_GET
def required(request: HttpRequest) -> HttpResponse:
    """The step after the e-mailed link where an organisation requires a passkey: set one up
    (none yet) or confirm with one."""
    person = person_of(request.user)
    next_url = safe_next(request.GET.get("next"))
    if not policy.step_pending(request):
        return redirect(after_sign_in(next_url))
    context = {"has_passkeys": queries.has_passkeys(person.pk), "next": next_url}
    if not context["has_passkeys"]:
        context["form"] = PasskeyNameForm()
    return sessions.private(render(request, "passkeys/required.html", context))


@login_required
@require_POST
def confirm_options(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if not _within_limit(request):
        return refused(TOO_MANY, status=429)
    if not queries.has_passkeys(person.pk):
        return refused("You have no passkey yet: set one up.", status=409)
    return answer({"ok": True, **services.begin_confirm(person)})


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """The signed-in person proves they hold one of their passkeys; the session is strong."""
    person = person_of(request.user)
    ip = client_ip(request)
    data = body(request)
    if data is None:
        return refused(REFUSED)
    try:
        services.authenticate(
            data.get("ceremony"), data.get("credential"), purpose="confirm", person=person
        )
    except services.SignInRefused as exc:
        allowed = accounts.record_failure(exc.reason, ip=ip, person=person, purpose="passkey")
        return refused(REFUSED if allowed else TOO_MANY, status=400 if allowed else 429)
    policy.mark_done(request)
    record(Activity.Verb.SIGNED_IN, actor=person, ip=ip, detail={"method": "passkey_confirm"})
    next_url = data.get("next") if isinstance(data.get("next"), str) else ""
    return answer({"ok": True, "redirect": after_sign_in(next_url)})
