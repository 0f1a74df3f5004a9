"""Forms of the audit pages: the upload and the column mapping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from compliance_hub.audits.columns import FIELDS, Mapping, check_mapping, column_label
from compliance_hub.audits.exposure import DEFAULT_SHARE
from compliance_hub.audits.models import Status
from compliance_hub.audits.parsing.limits import MAX_BYTES, MAX_ROWS

NOT_IN_FILE = ""


class UploadForm(forms.Form):
    schedule = forms.FileField(
        label="Schedule of payments",
        help_text=(
            f"CSV or XLSX, up to {MAX_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} rows, "
            "with a header row."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.tsv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class MappingForm(forms.Form):
    """One <select> per field, listing the file's columns; checked with ``check_mapping``."""

    include_unreadable = forms.BooleanField(
        required=False,
        label="Run anyway: report rows that cannot be read as “unreadable”",
    )

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, "— not in this file —")] + [
            (str(i), column_label(header, i)) for i in range(len(header))
        ]
        self.order_fields([f.key for f in FIELDS])
        for spec in FIELDS:
            self.fields[spec.key] = forms.ChoiceField(
                label=spec.label, help_text=spec.help, choices=choices, required=False
            )
        self.order_fields([*(f.key for f in FIELDS), "include_unreadable"])

    @staticmethod
    def initial_for(mapping: Mapping) -> dict[str, str]:
        return {k: NOT_IN_FILE if v is None else str(v) for k, v in mapping.items()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = check_mapping(self.mapping_from(data))
        for key, message in problems.items():
            self.add_error(key, message)
        return data

    @staticmethod
    def mapping_from(data: dict[str, Any]) -> Mapping:
        return {
            spec.key: int(data[spec.key]) if data.get(spec.key) not in (None, "") else None
            for spec in FIELDS
        }

    @property
    def mapping(self) -> Mapping:
        return self.mapping_from(self.cleaned_data)

    def field_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The selects, grouped for the page: who, when, how much."""
        groups = (
            ("Who was paid", ("name", "first_name", "last_name", "email", "contractor_id")),
            ("For which days", ("work_date", "period_from", "period_to", "payment_date")),
            ("How much", ("amount",)),
        )
        return [(title, [self[key] for key in keys]) for title, keys in groups]


class RowFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses"), *Status.choices], label="Status"
    )
    q = forms.CharField(required=False, max_length=100, label="Contractor")
    contractor = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class EstimateForm(forms.Form):
    """The exposure estimate's inputs."""

    payroll_share = forms.DecimalField(
        label="Share of payments treated as payroll (%)",
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=DEFAULT_SHARE,
        help_text="90% unless your carrier's audit applies another labour share.",
    )
    class_rate = forms.DecimalField(
        label="Class rate per $100 of payroll",
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        max_digits=8,
        decimal_places=4,
        help_text="The workers' compensation rate on your policy for this work, e.g. 3.25.",
    )


class DecisionForm(forms.Form):
    """Who a row's written name is: one of the contractors offered, or nobody here."""

    choice = forms.CharField(max_length=20)
