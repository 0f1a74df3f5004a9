"""Forms of the passkey pages."""

from __future__ import annotations

from django import forms

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.passkeys.services import NAME_MAX


class PasskeyNameForm(DescribedErrorsMixin, forms.Form):
    name = forms.CharField(
        label="Name of the passkey",
        max_length=NAME_MAX,
        help_text="So you can tell your passkeys apart, for example “Work laptop” or “Phone”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Give the passkey a name, for example “Work laptop”."},
    )


class PolicyForm(forms.Form):
    required = forms.TypedChoiceField(
        choices=[("1", "On"), ("0", "Off")], coerce=lambda v: v == "1", empty_value=None
    )
