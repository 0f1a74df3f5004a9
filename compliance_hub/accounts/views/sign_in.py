"""Asking for a sign-in link, and signing in with the one-time code."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from compliance_hub.accounts import services, sessions, tokens
from compliance_hub.accounts.forms import CodeForm, SignInForm
from compliance_hub.accounts.redirects import after_sign_in, safe_next
from compliance_hub.core.net import client_ip
from compliance_hub.sso import queries as sso_queries
from compliance_hub.sso import views as sso_views


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The e-mail form. The answer is the same whether or not the address has access."""
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            next_url = safe_next(form.cleaned_data["next"])
            # An address whose domain has single sign-on goes to that provider instead of
            # getting a link: decided by the domain alone, never by whether it has an account.
            provider = sso_queries.provider_for_email(email)
            if provider is not None:
                return sso_views.start(request, provider, email=email, next_url=next_url)
            return asked(request, email, shown=email, next_url=next_url)
        status = 400
    else:
        form = SignInForm(
            initial={
                "next": safe_next(request.GET.get("next")),
                "email": request.GET.get("email", "")[:254],
            }
        )
        status = 200
    return sessions.private(render(request, "accounts/sign_in.html", {"form": form}, status=status))


def asked(request: HttpRequest, email: str | None, *, shown: str, next_url: str) -> HttpResponse:
    """Ask for a link for ``email`` (None: for nobody, with the same answer) from this browser,
    and go to the "check your e-mail" page, which shows ``shown``."""
    asking = sessions.ask_again(request, shown)
    if email is not None:
        services.request_sign_in(
            email,
            ip=client_ip(request),
            browser_hash=tokens.hash_secret(asking.browser),
            recognised=sessions.recognises(request, email),
            next_url=next_url,
        )
    response = redirect("accounts:sign_in_sent")
    sessions.set_asking(response, asking)
    return sessions.private(response)


def sign_in_sent(request: HttpRequest) -> HttpResponse:
    """ "If that address has access, a link is on its way", with the code form."""
    return _sent_page(request, CodeForm())


@require_POST
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Sign in with the code from the e-mail, in the browser that asked for the link."""
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _sent_page(request, form, status=400)
    asking = sessions.asking(request)
    if asking is None:
        form.add_error("code", "This browser has no code waiting. Ask for a new link below.")
        return _sent_page(request, form, status=400)
    token, left = services.check_code(asking.browser, asking.nonce, form.cleaned_data["code"])
    if token is not None and services.sign_in_with(request, token, method="code"):
        return sessions.signed_in(token.email, after_sign_in(token.next_url))
    if left <= 0:
        form.add_error(
            "code",
            "That code no longer works: it was tried too many times. Ask for a new link below.",
        )
    else:
        form.add_error(
            "code",
            f"That code isn't right. You have {left} more {'try' if left == 1 else 'tries'}.",
        )
    return _sent_page(request, form, status=400)


def _sent_page(request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
    asking = sessions.asking(request)
    context = {
        "email": asking.email if asking else "",
        "form": form,
        "can_use_code": asking is not None and services.code_tries_left(asking.nonce) > 0,
        "valid_for": services.describe_duration(settings.SIGN_IN_LINK_TTL),
    }
    return sessions.private(render(request, "accounts/sign_in_sent.html", context, status=status))
