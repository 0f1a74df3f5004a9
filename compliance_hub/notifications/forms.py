"""The notification settings form: two choices."""

from __future__ import annotations

from django import forms


class PreferencesForm(forms.Form):
    weekly_digest = forms.BooleanField(
        required=False,
        label="Weekly digest",
        help_text=(
            "Once a week: new, void and superseded certificates, new team members "
            "and reconciliations at your facilities over the past week."
        ),
    )
    certificate_changes = forms.BooleanField(
        required=False,
        label="When a certificate you relied on changes",
        help_text=(
            "Straight away, when a certificate someone at your facility viewed or downloaded "
            "becomes void or is replaced by a new one."
        ),
    )
