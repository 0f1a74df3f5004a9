"""Forms for inviting: the team page and the partner console share one; the operator's own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from compliance_hub.accounts.forms import DescribedErrorsMixin
from compliance_hub.accounts.models import Person, normalize_email
from compliance_hub.core.forms import IdMultipleChoiceField
from compliance_hub.facilities.invitations import By, InvitationRateLimited, check_invite, invite
from compliance_hub.facilities.models import Facility, Invitation, Membership
from compliance_hub.facilities.queries import facilities_of, memberships_of


class InviteForm(DescribedErrorsMixin, forms.Form):
    """Invite someone: from the team page (``person``: to any of their own facilities) or from
    the partner console (no ``person``: to ``facility`` only, usually its primary contact)."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
        error_messages={
            "required": "Enter the e-mail address of the person to invite.",
            "invalid": "Enter an e-mail address like name@example.com.",
        },
    )
    name = forms.CharField(label="Name (optional)", max_length=200, required=False)
    facilities = IdMultipleChoiceField(
        label="Facilities",
        queryset=Facility.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one facility.",
            "invalid_choice": "Choose only facilities you belong to.",
            "invalid_pk_value": "Choose only facilities you belong to.",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text="A primary contact can also remove team members and see the activity log.",
    )

    def __init__(
        self, *args: Any, facility: Facility, person: Person | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.facility = facility
        if person is None:
            del self.fields["facilities"]
            self.fields["role"].initial = Membership.Role.PRIMARY
            return
        self.fields["facilities"].queryset = facilities_of(person)  # type: ignore[attr-defined]
        self.fields["facilities"].initial = [facility.pk]
        if not memberships_of(person).filter(role=Membership.Role.PRIMARY).exists():
            del self.fields["role"]

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    # The status of the page that shows the form again: 429 when the inviter is over the limit.
    status = 400

    def send(self, by: By) -> Invitation | None:
        """Invite as the form says (see ``invitations.invite``); ``None`` if the form is
        invalid or the invitation refused (the reasons are on the form)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            return invite(
                email=data["email"],
                facilities=list(data.get("facilities") or [self.facility]),
                role=data.get("role") or Membership.Role.MEMBER,
                name=data["name"],
                by=by,
            )
        except ValidationError as exc:
            self.add_validation_error(exc)
        except InvitationRateLimited as exc:
            self.add_error(None, str(exc))
            self.status = 429
        return None


class InvitationAdminForm(forms.ModelForm):
    """The operator's "add invitation" form: validated like every other invitation."""

    class Meta:
        model = Invitation
        fields = ["email", "name", "role", "facilities"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            check_invite(
                email=data.get("email", ""),
                facilities=list(data.get("facilities") or []),
                role=data.get("role", ""),
                name=data.get("name", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data
