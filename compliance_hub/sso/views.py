"""Signing in with an organisation's provider, and the pages that configure one.

The attempt (provider, ``state``, ``nonce``, PKCE verifier, the address typed, ``next``) is kept
in the session, server-side, and taken out by the first callback that comes back: a second
callback with the same ``state`` finds nothing (single use).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.accounts import services as accounts
from compliance_hub.accounts import sessions
from compliance_hub.accounts.forms import SignInForm
from compliance_hub.accounts.redirects import after_sign_in, safe_next
from compliance_hub.accounts.views import sign_in as sign_in_views
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.models import Facility, Partner
from compliance_hub.facilities.queries import Portal, portal_for
from compliance_hub.partner_api.console.access import partner_ids, staff_required
from compliance_hub.sso import oidc, queries, services
from compliance_hub.sso.forms import ProviderForm
from compliance_hub.sso.models import IdentityProvider

ATTEMPT = "hub_sso"  # session key: the sign-in waiting for the provider's answer
PURPOSE = "oidc"  # sign-in failures recorded by accounts.services.record_failure

_MESSAGES = {
    "unreachable": (
        "We could not reach your organisation's sign-in service",
        "It did not answer in time, or answered with an error. Try again in a few minutes.",
    ),
    "expired": (
        "This sign-in attempt has expired or was already used",
        "Each attempt to sign in with your organisation works once and for a few minutes. "
        "Start again from the sign-in page.",
    ),
    "state": (
        "This sign-in attempt does not match",
        "The answer from your organisation's sign-in service is not for the attempt this "
        "browser started. Start again from the sign-in page.",
    ),
    "denied": (
        "Your organisation's sign-in service did not sign you in",
        "It answered without signing you in (you may have cancelled).",
    ),
    "token": (
        "Your organisation's sign-in could not be confirmed",
        "The answer from your organisation's sign-in service did not pass our checks, so you "
        "are not signed in. If this keeps happening, tell whoever manages single sign-on at "
        "your organisation.",
    ),
    "email_unverified": (
        "Your e-mail address is not confirmed",
        "Your organisation's sign-in service did not confirm that the e-mail address is "
        "yours, so we cannot sign you in with it.",
    ),
    "email_domain": (
        "Your organisation's sign-in named another address",
        "It signed you in with an address outside the domains it covers here.",
    ),
    "disabled": (
        "Single sign-on is no longer set up for your address",
        "Your organisation turned it off while you were signing in.",
    ),
    "rate": (
        "Too many sign-in attempts",
        "Please wait a while before trying again.",
    ),
}


def _problem(
    request: HttpRequest,
    kind: str,
    *,
    email: str = "",
    next_url: str = "",
    status: int = 400,
) -> HttpResponse:
    """One friendly page per failure, never a 5xx; with "e-mail me a link instead" where the
    address is known (it goes through the ordinary link request and its limits)."""
    heading, text = _MESSAGES[kind]
    context = {"heading": heading, "text": text, "email": email, "next": next_url}
    return sessions.private(render(request, "sso/problem.html", context, status=status))


def _fail(
    request: HttpRequest,
    kind: str,
    reason: str,
    *,
    attempt: dict[str, Any] | None = None,
    person: Any = None,
    status: int = 400,
) -> HttpResponse:
    accounts.record_failure(reason, ip=client_ip(request), person=person, purpose=PURPOSE)
    attempt = attempt or {}
    return _problem(
        request,
        kind,
        email=str(attempt.get("email", "")),
        next_url=str(attempt.get("next", "")),
        status=status,
    )


# --- signing in ---------------------------------------------------------------------------


def start(
    request: HttpRequest, provider: IdentityProvider, *, email: str, next_url: str
) -> HttpResponse:
    """Send the browser to the provider (from the sign-in form, for any address of its
    domains: whether the address has an account changes nothing here)."""
    # The sign-in limits of accounts (one rule): the client's bucket only, as for a browser
    # it recognises (``recognised``): no mail goes out, and the address's buckets guard its
    # inbox (its "e-mail me a link instead" is counted there).
    if not accounts.within_limits(email, ip=client_ip(request), recognised=True):
        return _problem(request, "rate", status=429)
    try:
        attempt = oidc.begin(services.client_for(provider))
    except oidc.OidcError as exc:
        return _fail(
            request,
            "unreachable",
            f"provider {exc.reason}",
            attempt={"email": email, "next": next_url},
        )
    request.session[ATTEMPT] = {
        "provider": provider.pk,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "verifier": attempt.code_verifier,
        "email": email,
        "next": next_url,
        "started": int(time.time()),
    }
    # A page that moves on by itself, not a redirect: the sign-in form's Content-Security-
    # Policy (form-action 'self') forbids a form submission ending at another origin.
    context = {"url": attempt.url, "provider": provider, "domain": queries.domain_of(email)}
    response = render(request, "sso/continue.html", context)
    response["Refresh"] = f"0; url={attempt.url}"
    return sessions.private(response)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: exchange the code, validate the ID token, sign the person in."""
    attempt = request.session.pop(ATTEMPT, None)  # single use, whatever happens next
    if not isinstance(attempt, dict) or time.time() - attempt.get("started", 0) > (
        settings.SSO_ATTEMPT_TTL
    ):
        return _fail(request, "expired", "expired")
    state = request.GET.get("state", "")
    if not constant_time_compare(state, str(attempt.get("state", ""))):
        return _fail(request, "state", "state", attempt=attempt)
    if request.GET.get("error"):
        return _fail(request, "denied", "denied", attempt=attempt)
    provider = queries.enabled_provider(attempt.get("provider"))
    if provider is None:
        return _fail(request, "disabled", "disabled", attempt=attempt)
    # RFC 9207: a provider that names itself in the answer must be the one we sent the
    # person to (an answer from another provider is a mix-up attack).
    if "iss" in request.GET and request.GET["iss"] != provider.issuer:
        return _fail(request, "token", "iss mismatch", attempt=attempt)
    code = request.GET.get("code", "")
    if not code or len(code) > 2000:
        return _fail(request, "token", "no code", attempt=attempt)
    try:
        claims = oidc.finish(
            services.client_for(provider),
            code=code,
            code_verifier=str(attempt["verifier"]),
            nonce=str(attempt["nonce"]),
        )
    except oidc.OidcError as exc:
        kind = "unreachable" if exc.unreachable else "token"
        return _fail(request, kind, f"provider {exc.reason}", attempt=attempt)
    try:
        outcome = services.person_for(provider, claims)
    except services.Refused as exc:
        if exc.reason == "no_access":
            accounts.record_failure(
                "no access", ip=client_ip(request), person=exc.person, purpose=PURPOSE
            )
            context = {"provider": provider, "email": claims.get("email", "")}
            return sessions.private(render(request, "sso/no_access.html", context, status=403))
        return _fail(request, exc.reason, exc.reason, attempt=attempt, status=403)
    person = outcome.person
    accounts.start_session(request, person, method=PURPOSE, detail={"provider": provider.issuer})
    destination = "/invitations/" if outcome.invited else after_sign_in(attempt.get("next"))
    return sessions.signed_in(person.email, destination)


@require_POST
def email_link(request: HttpRequest) -> HttpResponse:
    """ "E-mail me a link instead": the ordinary request for a link (same answer, same
    limits, same worker), skipping single sign-on for this one request."""
    form = SignInForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:sign_in")
    email = form.cleaned_data["email"]
    next_url = safe_next(form.cleaned_data["next"])
    return sign_in_views.asked(request, email, shown=email, next_url=next_url)


# --- configuring: the partner console ------------------------------------------------------


def _console(
    request: HttpRequest, forms: dict[int, ProviderForm] | None = None, status: int = 200
) -> HttpResponse:
    partners: list[Partner] = request.partners  # type: ignore[attr-defined]
    forms = forms or {}
    rows = []
    for partner in partners:
        provider = queries.provider_of(partner)
        form = forms.get(partner.pk) or ProviderForm(provider=provider, auto_id=f"p{partner.pk}_%s")
        rows.append({"owner": partner, "provider": provider, "form": form})
    context = {
        "rows": rows,
        "partners": partners,
        "redirect_uri": services.redirect_uri(),
    }
    return render(request, "sso/console.html", context, status=status)


@never_cache
@require_GET
@staff_required
def console(request: HttpRequest) -> HttpResponse:
    return _console(request)


@never_cache
@require_POST
@staff_required
def console_save(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id, pk__in=partner_ids(request))
    provider = queries.provider_of(partner)
    form = ProviderForm(request.POST, provider=provider, auto_id=f"p{partner.pk}_%s")
    if _save(request, form, partner):
        return redirect("sso:console")
    return _console(request, {partner.pk: form}, status=400)


def _save(request: HttpRequest, form: ProviderForm, owner: Partner | Facility) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        provider = services.save_provider(
            owner,
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            domains=data["domains"],
            enabled=data["enabled"],
            by=services.Actor(request.user, client_ip(request)),  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        form.add_validation_error(exc)
        return False
    if provider.enabled and not provider.verified_domain_names:
        messages.success(
            request,
            "Single sign-on saved. It starts once the hub's operator has verified a domain: "
            "publish the DNS TXT records shown below, then ask the operator.",
        )
    elif provider.enabled:
        messages.success(
            request,
            f"Single sign-on saved. Test sign-in: in a private window, sign in with an address "
            f"at {provider.verified_domain_names[0]}; you should reach your provider and come back "
            "signed in.",
        )
    else:
        messages.success(request, "Single sign-on saved, and off: addresses get e-mailed links.")
    return True


# --- configuring: a facility's primary contacts ---------------------------------------------


def _primary(request: HttpRequest, facility_id: int) -> Portal:
    """The facility's primary contacts only (other members: 403; anyone else: 404)."""
    portal = portal_for(request.user, facility_id)
    if not portal.is_primary:
        raise PermissionDenied("Only a primary contact sets up single sign-on.")
    return portal


def _facility_page(
    request: HttpRequest, portal: Portal, form: ProviderForm | None = None, status: int = 200
) -> HttpResponse:
    provider = queries.provider_of(portal.facility)
    context = {
        "facility": portal.facility,
        "portal": portal,
        "provider": provider,
        "form": form or ProviderForm(provider=provider),
        "redirect_uri": services.redirect_uri(),
    }
    return render(request, "sso/facility.html", context, status=status)


@never_cache
@login_required
@require_GET
def facility(request: HttpRequest, facility_id: int) -> HttpResponse:
    return _facility_page(request, _primary(request, facility_id))


@never_cache
@login_required
@require_POST
def facility_save(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = _primary(request, facility_id)
    form = ProviderForm(request.POST, provider=queries.provider_of(portal.facility))
    if _save(request, form, portal.facility):
        return redirect("sso:facility", facility_id=facility_id)
    return _facility_page(request, portal, form, status=400)
