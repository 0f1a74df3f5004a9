"""Asking for a sign-in link, and signing in with the one-time code."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from compliance_hub.accounts import services, sessions, tokens
from compliance_hub.accounts.forms import CodeForm, SignInForm
from compliance_hub.accounts.redirects import after_sign_in, safe_next


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The e-mail form. The answer is the same whether or not the address has access."""
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            value = sessions.ensure_browser_value(request)
            services.request_sign_in(
                request,
                email,
                browser_value=value,
                next_url=safe_next(form.cleaned_data["next"]),
            )
            request.session[sessions.SIGN_IN_EMAIL] = email
            request.session[sessions.CODE_TRIES] = 0
            response = redirect("accounts:sign_in_sent")
            sessions.set_browser_cookie(response, value)
            return sessions.private(response)
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


def sign_in_sent(request: HttpRequest) -> HttpResponse:
    """ "If that address has access, a link is on its way", with the code form."""
    return _sent_page(request, CodeForm())


@require_POST
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Sign in with the code from the e-mail, in the browser that asked for the link."""
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _sent_page(request, form, status=400)
    limit = settings.SIGN_IN_CODE_ATTEMPTS
    tries = int(request.session.get(sessions.CODE_TRIES, 0))
    browser = sessions.browser_value(request)
    token = tokens.match_code(browser, form.cleaned_data["code"]) if tries < limit else None
    if token is not None and services.sign_in_with(request, token, method="code"):
        response = redirect(after_sign_in(token.next_url))
        sessions.clear_browser_cookie(response)
        return sessions.private(response)
    tries += 1
    request.session[sessions.CODE_TRIES] = tries
    for person in tokens.browser_people(browser):
        services.record_failure(request, "wrong_code", person=person)
    if tries >= limit:
        form.add_error(
            "code",
            "That code no longer works: it was tried too many times. Ask for a new link below.",
        )
    else:
        left = limit - tries
        form.add_error(
            "code",
            f"That code isn't right. You have {left} more {'try' if left == 1 else 'tries'}.",
        )
    return _sent_page(request, form, status=400)


def _sent_page(request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
    tries = int(request.session.get(sessions.CODE_TRIES, 0))
    context = {
        "email": request.session.get(sessions.SIGN_IN_EMAIL, ""),
        "form": form,
        "can_use_code": sessions.browser_value(request) is not None
        and tries < settings.SIGN_IN_CODE_ATTEMPTS,
        "valid_for": services.describe_duration(settings.SIGN_IN_LINK_TTL),
    }
    return sessions.private(render(request, "accounts/sign_in_sent.html", context, status=status))
