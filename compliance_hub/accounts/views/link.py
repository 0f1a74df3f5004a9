"""Opening a sign-in link: scanner-safe (only a POST, or the asking browser, signs in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from compliance_hub.accounts import services, sessions, tokens
from compliance_hub.accounts.models import SignInToken
from compliance_hub.accounts.redirects import after_sign_in

PURPOSE = SignInToken.Purpose.SIGN_IN


def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """Move the token from the URL into the session, then go to a URL without it."""
    request.session[sessions.PENDING_LINK] = tokens.hash_secret(token)
    return sessions.private(redirect("accounts:sign_in_confirm"))


@require_http_methods(["GET", "POST"])
def sign_in_confirm(request: HttpRequest) -> HttpResponse:
    """ "Sign in as j…@example.com" with a button; the asking browser is signed in at once."""
    pending = request.session.get(sessions.PENDING_LINK)
    token = tokens.find(pending)
    problem = tokens.state(token, PURPOSE)
    if problem != "ok" or token is None:
        if pending:  # a link was opened here (not a bare visit to this address)
            services.record_failure(
                request, problem, person=token.person if token else None, purpose=PURPOSE
            )
        return link_problem(request)
    browser = sessions.browser_value(request)
    if request.method == "POST" or tokens.same_browser(token, browser):
        method = "link" if request.method == "POST" else "same_browser"
        if not services.sign_in_with(request, token, method=method):
            services.record_failure(request, "used", person=token.person, purpose=PURPOSE)
            return link_problem(request)
        request.session.pop(sessions.PENDING_LINK, None)
        response = redirect(after_sign_in(token.next_url))
        if tokens.same_browser(token, browser):
            sessions.clear_browser_cookie(response)
        return sessions.private(response)
    context = {"masked_email": services.mask_email(token.email)}
    return sessions.private(render(request, "accounts/sign_in_confirm.html", context))


def link_problem(request: HttpRequest) -> HttpResponse:
    """The same friendly page for unknown, used, expired and wrong-purpose links."""
    return sessions.private(render(request, "accounts/link_problem.html", status=410))


@require_POST
def sign_in_renew(request: HttpRequest) -> HttpResponse:
    """One click for a fresh link, sent to the address the old one went to (never shown)."""
    token = tokens.find(request.session.get(sessions.PENDING_LINK))
    value = sessions.ensure_browser_value(request)
    if token is not None and token.purpose == PURPOSE and token.person is not None:
        person = token.person
        if services.within_limits(request, person.email) and services.has_access(person):
            services.send_sign_in_link(
                person, request=request, browser_value=value, next_url=token.next_url
            )
    request.session.pop(sessions.SIGN_IN_EMAIL, None)
    request.session[sessions.CODE_TRIES] = 0
    response = redirect("accounts:sign_in_sent")
    sessions.set_browser_cookie(response, value)
    return sessions.private(response)
