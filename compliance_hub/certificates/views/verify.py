"""Public verification pages: ``/v/<number>/<code>/`` and the ``/verify/`` form.

No sign-in. Rate limited per client IP. Responses are never cached and not indexed, since
the address carries the check code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from compliance_hub.certificates import verification
from compliance_hub.core import ratelimit
from compliance_hub.core.net import client_ip

RATE_SCOPE = "certificate-verify"


class PrintedField(forms.CharField):
    """A number or code as printed on the certificate: typed as seen, then ``normalize``d;
    ``mistake`` when it cannot be one."""

    widget = forms.TextInput(
        attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
    )

    def __init__(self, normalize: Callable[[str], str | None], mistake: str, **kwargs: Any) -> None:
        super().__init__(max_length=40, **kwargs)
        self.normalize, self.mistake = normalize, mistake

    def clean(self, value: Any) -> str:
        normalized = self.normalize(super().clean(value))
        if normalized is None:
            raise forms.ValidationError(self.mistake)
        return normalized


class VerifyForm(forms.Form):
    number = PrintedField(
        verification.normalize_number,
        "This is not a certificate number. It starts with CH, like CH-7K3M-9QXP.",
        label="Certificate number",
        help_text="At the top right of the certificate, for example CH-7K3M-9QXP.",
    )
    code = PrintedField(
        verification.normalize_code,
        "A verification code has 10 letters and digits, like 4D9P2-X7KQM.",
        label="Verification code",
        help_text="Next to the QR code on the certificate, for example 4D9P2-X7KQM.",
    )


# The verification pages load only the hub's own stylesheet and scripts; no inline code.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def _rate_limited(request: HttpRequest) -> HttpResponse | None:
    """A 429 page if this client has used up its verifications, else None."""
    subject = client_ip(request) or "unknown"
    for limit, window in (
        (settings.VERIFY_RATE_PER_MINUTE, 60),
        (settings.VERIFY_RATE_PER_HOUR, 3600),
    ):
        decision = ratelimit.hit(RATE_SCOPE, subject, limit=limit, window=window)
        if not decision.allowed:
            minutes = max(1, (decision.retry_after + 59) // 60)
            response = render(
                request, "certificates/verify_limited.html", {"minutes": minutes}, status=429
            )
            response["Retry-After"] = str(decision.retry_after)
            return response
    return None


@require_GET
def verify(request: HttpRequest, number: str, code: str) -> HttpResponse:
    """Whether the certificate with this number and code is genuine, and its status."""
    limited = _rate_limited(request)
    if limited is not None:
        return _private(limited)
    result = verification.verify(number, code)
    if result is None:
        context = {"form": VerifyForm()}
        return _private(render(request, "certificates/verify_failed.html", context, status=404))
    canonical = reverse(
        "certificates:verify", args=[result.number, verification.normalize_code(code)]
    )
    if request.path != canonical:  # typed in lower case or with separators
        return _private(redirect(canonical))
    return _private(render(request, "certificates/verify_result.html", {"v": result}))


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type the number and code printed on a certificate; valid input goes to its page."""
    if "number" in request.GET or "code" in request.GET:
        form = VerifyForm(request.GET)
        if form.is_valid():
            return _private(
                redirect(
                    "certificates:verify", form.cleaned_data["number"], form.cleaned_data["code"]
                )
            )
    else:
        form = VerifyForm()
    return _private(render(request, "certificates/verify_form.html", {"form": form}))
