"""Forms of the console's webhook pages. The rules (https only, no private targets, known event
types, the overlap range) are the webhooks services' own: their ``ValidationError`` lands on
these fields by name, so the console never holds a second copy of them."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.partner_api.console.forms import PartnerChoice
from compliance_hub.webhooks.events import EVENT_TYPES

# How long the old secret keeps signing after a rotation (the services accept 0 to 168 hours).
OVERLAP_CHOICES = [
    (0, "No overlap: the old secret stops now"),
    (1, "1 hour"),
    (24, "24 hours"),
    (72, "3 days"),
    (168, "7 days"),
]


class EndpointForm(DescribedErrorsMixin, forms.Form):
    """An endpoint's address, what it is for and the events it wants (add and edit)."""

    url = forms.CharField(
        label="Receiver URL",
        max_length=2000,
        help_text="Where the hub POSTs events, for example https://example.com/hooks/hub.",
        error_messages={"required": "Enter the address of your receiver."},
        widget=forms.TextInput(
            attrs={"inputmode": "url", "spellcheck": "false", "autocomplete": "url"}
        ),
    )
    description = forms.CharField(
        label="What is it for? (optional)",
        max_length=200,
        required=False,
        help_text="For example “Scheduling system, production”.",
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event.",
            "invalid_choice": "Choose among the events listed.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].initial = list(EVENT_TYPES)


class NewEndpointForm(EndpointForm, PartnerChoice):
    """Adding an endpoint for one of the person's partners."""


class EnabledForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", "On"), ("0", "Off")], coerce=lambda v: v == "1", empty_value=None
    )


class RotateForm(DescribedErrorsMixin, forms.Form):
    overlap_hours = forms.TypedChoiceField(
        label="Keep the old secret working for",
        choices=OVERLAP_CHOICES,
        coerce=int,
        initial=24,
        help_text="During the overlap every event carries two signatures, one per secret, so "
        "your receiver keeps verifying while you deploy the new secret.",
        error_messages={"invalid_choice": "Choose one of the periods listed."},
    )


class PageForm(forms.Form):
    """``?before=``: the delivery a page of the log continues after (older ones)."""

    before = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
