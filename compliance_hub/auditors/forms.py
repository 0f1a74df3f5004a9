"""The form a primary contact gives an auditor access with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.accounts.models import Person
from compliance_hub.auditors import services
from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.audits.models import Reconciliation
from compliance_hub.core.forms import IdMultipleChoiceField
from compliance_hub.facilities.models import Facility

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GrantForm(DescribedErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="Auditor's e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
        error_messages={
            "required": "Enter the auditor's e-mail address.",
            "invalid": "Enter an e-mail address like auditor@example.com.",
        },
    )
    firm = forms.CharField(
        label="Carrier or audit firm",
        max_length=200,
        error_messages={"required": "Name the carrier or audit firm the auditor works for."},
    )
    period_start = forms.DateField(
        label="Audit period from",
        widget=_DATE,
        error_messages={"required": "Enter the first day of the audit period."},
    )
    period_end = forms.DateField(
        label="Audit period to",
        widget=_DATE,
        help_text="The policy year being audited, e.g. 2025-07-01 to 2026-06-30.",
        error_messages={"required": "Enter the last day of the audit period."},
    )
    expires_on = forms.DateField(
        label="Access ends after",
        widget=_DATE,
        help_text=f"At most {services.MAX_DAYS} days from today.",
        error_messages={"required": "Choose the last day the auditor has access."},
    )
    reconciliations = IdMultipleChoiceField(
        label="Share these reconciliations (with their audit packets)",
        queryset=Reconciliation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Choose only this facility's reconciliations.",
            "invalid_pk_value": "Choose only this facility's reconciliations.",
        },
    )

    def __init__(self, *args: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facility = facility
        self.fields["expires_on"].initial = services.default_expiry()
        shared = self.fields["reconciliations"]
        mine = Reconciliation.objects.filter(facility=facility).order_by("-created_at")
        shared.queryset = mine  # type: ignore[attr-defined]
        shared.label_from_instance = _label  # type: ignore[attr-defined]

    # The status of the page that shows the form again: 429 when the granter is over the limit.
    status = 400

    def save(self, by: Person, ip: str | None) -> AuditorGrant | None:
        """Grant as the form says; ``None`` if invalid or refused (the reasons are on it)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            return services.grant(
                self.facility,
                email=data["email"],
                firm=data["firm"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                expires_on=data["expires_on"],
                reconciliation_ids=[r.pk for r in data["reconciliations"]],
                by=by,
                ip=ip,
            )
        except ValidationError as exc:
            self.add_validation_error(exc)
        except services.GrantRateLimited as exc:
            self.add_error(None, str(exc))
            self.status = 429
        return None


def _label(reconciliation: Reconciliation) -> str:
    return (
        f"{reconciliation.file_name} · run {reconciliation.created_at:%b %d, %Y} "
        f"by {reconciliation.created_by_label}"
    )
