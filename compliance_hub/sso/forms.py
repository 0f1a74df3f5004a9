"""The provider form, shared by the partner console and a facility's single sign-on page."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.sso.models import IdentityProvider


class ProviderForm(DescribedErrorsMixin, forms.Form):
    issuer = forms.CharField(
        label="Issuer URL",
        max_length=500,
        help_text="As your provider states it, e.g. https://login.hospital.org/realms/staff "
        "(the hub reads /.well-known/openid-configuration under it).",
        required=False,  # every check is the service's, so all errors show at once
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    client_id = forms.CharField(
        label="Client ID",
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    domains = forms.CharField(
        label="E-mail domains",
        max_length=2000,
        help_text="Addresses at these domains sign in with your provider instead of an "
        "e-mailed link. Separate several with commas, e.g. hospital.org, staff.hospital.org.",
        required=False,
    )
    enabled = forms.BooleanField(label="Send these addresses to the provider", required=False)

    def __init__(self, *args: Any, provider: IdentityProvider | None = None, **kw: Any) -> None:
        if provider is not None and not args and "initial" not in kw:
            kw["initial"] = {
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "domains": ", ".join(provider.domain_names),
                "enabled": provider.enabled,
            }
        elif provider is None and not args:
            kw.setdefault("initial", {"enabled": True})
        super().__init__(*args, **kw)
        self.fields["client_secret"].help_text = (
            "Stored encrypted and never shown again. Leave empty to keep the current secret."
            if provider is not None
            else "Stored encrypted and never shown again."
        )
