"""Opening a sign-in link: scanner-safe (only a POST, or the asking browser, signs in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from compliance_hub.accounts import services, sessions, tokens
from compliance_hub.accounts.models import SignInToken
from compliance_hub.accounts.redirects import after_sign_in
from compliance_hub.accounts.views.sign_in import asked
from compliance_hub.core.net import client_ip

PURPOSE = SignInToken.Purpose.SIGN_IN


def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """Move a real token from the URL into the session, then go to a URL without it.

    A made-up token is answered at once and stores nothing (no session); past the client's
    limit of failures the answer is 429.
    """
    token_hash = tokens.hash_secret(token)
    if tokens.find(token_hash) is None:
        allowed = services.record_failure("unknown", ip=client_ip(request), purpose=PURPOSE)
        return link_problem(request, status=410 if allowed else 429)
    request.session[sessions.PENDING_LINK] = token_hash
    return sessions.private(redirect("accounts:sign_in_confirm"))


@require_http_methods(["GET", "POST"])
def sign_in_confirm(request: HttpRequest) -> HttpResponse:
    """ "Sign in as j…@example.com" with a button; the asking browser is signed in at once."""
    pending = request.session.get(sessions.PENDING_LINK)
    token = tokens.find(pending)
    problem = tokens.state(token, PURPOSE)
    ip = client_ip(request)
    if problem != "ok" or token is None:
        if pending:  # a link was opened here (not a bare visit to this address)
            person = token.person if token else None
            services.record_failure(problem, ip=ip, person=person, purpose=PURPOSE)
        return link_problem(request)
    asking = sessions.asking(request)
    same_browser = asking is not None and tokens.same_browser(token, asking.browser)
    if request.method == "POST" or same_browser:
        method = "link" if request.method == "POST" else "same_browser"
        if not services.sign_in_with(request, token, method=method):
            services.record_failure("used", ip=ip, person=token.person, purpose=PURPOSE)
            return link_problem(request)
        request.session.pop(sessions.PENDING_LINK, None)
        return sessions.signed_in(token.email, after_sign_in(token.next_url))
    context = {"masked_email": services.mask_email(token.email)}
    return sessions.private(render(request, "accounts/sign_in_confirm.html", context))


def link_problem(request: HttpRequest, status: int = 410) -> HttpResponse:
    """The same friendly page for unknown, used, expired and wrong-purpose links."""
    return sessions.private(render(request, "accounts/link_problem.html", status=status))


@require_POST
def sign_in_renew(request: HttpRequest) -> HttpResponse:
    """One click for a fresh link, sent to the address the old one went to (never shown)."""
    token = tokens.find(request.session.get(sessions.PENDING_LINK))
    if token is None or token.purpose != PURPOSE or token.person is None:
        return asked(request, None, shown="", next_url="")  # the same answer, nothing asked
    return asked(request, token.person.email, shown="", next_url=token.next_url)
