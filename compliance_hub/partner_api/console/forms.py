"""Forms of the partner console."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.core.forms import IdChoiceField
from compliance_hub.facilities.models import WC_FIELDS, CoverageLine, Partner
from compliance_hub.partner_api.services import TERM_FIELDS, TEXT_TERM_FIELDS


class BulkDownloadForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", "On"), ("0", "Off")], coerce=lambda v: v == "1", empty_value=None
    )


class PartnerChoice(forms.Form):
    """A form acting for one of the person's partners: the partner is asked only of people
    who work for several (a hidden field otherwise)."""

    partner = IdChoiceField(
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


class ApiKeyForm(DescribedErrorsMixin, PartnerChoice):
    """Create an API key for one of the person's partners."""

    name = forms.CharField(
        label="What is the key for? (optional)",
        max_length=100,
        required=False,
        help_text="For example “Scheduling system, production”.",
    )
    field_order = ["name", "partner"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CoverageTermsForm(DescribedErrorsMixin, forms.ModelForm):
    """The details of a coverage line the partner sets (the operator sets the rest); the
    workers' compensation fields only on that line, basis and aggregate only on others."""

    class Meta:
        model = CoverageLine
        fields = TERM_FIELDS
        widgets = {"policy_effective": DateInput(), "policy_expiry": DateInput()}
        help_texts = {
            "policy_effective": "The program policy's own term, printed beside its number.",
            "el_each_accident": "Whole dollars.",
            "el_disease_each_employee": "Whole dollars.",
            "el_disease_policy_limit": "Whole dollars.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line: CoverageLine = self.instance
        hidden = ("basis", "aggregate_applies_per") if line.is_workers_compensation else WC_FIELDS
        for name in hidden:  # not for this kind of line: cleared when saved (as the API does)
            del self.fields[name]
            setattr(line, name, "" if name in TEXT_TERM_FIELDS else None)
        if "proprietor_excluded" in self.fields:
            widget = forms.NullBooleanSelect()
            widget.choices = [("unknown", "Not stated"), ("true", "Yes (Y)"), ("false", "No (N)")]
            self.fields["proprietor_excluded"].widget = widget
        for name in ("el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(min="0", step="1")

    def terms(self) -> dict[str, Any]:
        """The cleaned values for ``services.set_coverage_terms``."""
        return {name: self.cleaned_data[name] for name in self.fields}


class RepresentativeForm(DescribedErrorsMixin, forms.ModelForm):
    """Who signs the partner's certificates (with an electronic signature statement)."""

    class Meta:
        model = Partner
        fields = ("representative_name", "representative_title")
        labels = {"representative_name": "Name", "representative_title": "Title"}
        help_texts = {
            "representative_name": "Printed as “/s/ Name” on certificates issued from now on. "
            "Leave empty to sign for the producer without a person's name."
        }
