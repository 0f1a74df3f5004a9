"""Forms of the partner console."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.facilities.models import Partner


class BulkDownloadForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", "On"), ("0", "Off")], coerce=lambda v: v == "1", empty_value=None
    )


class ApiKeyForm(DescribedErrorsMixin, forms.Form):
    """Create an API key; the partner is asked only of people who work for several."""

    name = forms.CharField(
        label="What is the key for? (optional)",
        max_length=100,
        required=False,
        help_text="For example “Scheduling system, production”.",
    )
    partner = forms.ModelChoiceField(
        label="Staffing partner",
        queryset=Partner.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your partners."},
    )

    def __init__(self, *args: Any, partners: list[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        field.queryset = Partner.objects.filter(pk__in=[p.pk for p in partners])  # type: ignore[attr-defined]
        field.initial = partners[0].pk
        if len(partners) == 1:
            field.widget = forms.HiddenInput()
