"""Adding, using, renaming, removing and resetting passkeys; setting the policy.

Functions take plain values; the views hand them the signed-in person and the client IP.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from compliance_hub.accounts.models import Person
from compliance_hub.accounts.services import has_access
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.facilities.invitations import By
from compliance_hub.facilities.models import Facility, Partner
from compliance_hub.mailer.services import enqueue
from compliance_hub.passkeys import ceremony, queries
from compliance_hub.passkeys.ceremony import CeremonyError
from compliance_hub.passkeys.models import Passkey

log = logging.getLogger(__name__)
NAME_MAX = 100


def clean_name(value: Any) -> str:
    """A passkey's name as typed: trimmed, required, at most ``NAME_MAX`` characters."""
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError({"name": "Give the passkey a name, for example “Work laptop”."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"Use at most {NAME_MAX} characters."})
    return name


def user_handle(person: Person) -> bytes:
    """The WebAuthn user handle of the person: random, the same for all their passkeys (so an
    authenticator keeps one passkey per account), never their address or id."""
    existing = Passkey.objects.filter(person=person).values_list("user_handle", flat=True).first()
    return base64url_to_bytes(existing) if existing else secrets.token_bytes(32)


def begin_registration(person: Person) -> dict[str, Any]:
    return ceremony.registration_options(
        person_id=person.pk,
        email=person.email,
        display_name=person.display_name,
        user_handle=user_handle(person),
        exclude=list(Passkey.objects.filter(person=person).values_list("credential_id", flat=True)),
    )


@transaction.atomic
def finish_registration(
    person: Person, ceremony_id: Any, credential: Any, name: Any, *, ip: str | None
) -> Passkey:
    """Verify the authenticator's answer and keep its public key under ``name``.

    ``ValidationError`` for a bad name (the ceremony is not used up, the person can fix it);
    ``CeremonyError`` when the answer proves nothing."""
    name = clean_name(name)
    taken = ceremony.take(ceremony_id, "register", person.pk)
    registered = ceremony.verify_registration(taken, credential)
    if Passkey.objects.filter(credential_id=registered.credential_id).exists():
        raise CeremonyError("credential already registered")
    transports = (
        credential.get("response", {}).get("transports") if isinstance(credential, dict) else None
    )
    # The handle given to the authenticator in the options (a first passkey's is new there):
    # sign-ins compare the one it answers with against this (``authenticate``).
    handle = bytes_to_base64url(taken.user_handle or user_handle(person))
    passkey = Passkey.objects.create(
        person=person,
        credential_id=registered.credential_id,
        public_key=registered.public_key,
        sign_count=registered.sign_count,
        transports=[t[:32] for t in transports or [] if isinstance(t, str)][:8],
        user_handle=handle,
        name=name,
    )
    record(
        Activity.Verb.SETTINGS_CHANGED,
        actor=person,
        ip=ip,
        target=name,
        detail={"passkey": "added"},
    )
    # Rule: the person hears of every passkey added to their account (someone holding only
    # their e-mailed link could add one, which then satisfies a requiring organisation).
    enqueue(
        to=person.email,
        subject="A passkey was added to your account",
        template="passkeys/email/added",
        context={
            "person": person,
            "name": name,
            "at": passkey.created_at,
            "url": settings.SITE_URL + reverse("passkeys:list"),
        },
    )
    return passkey


def begin_sign_in() -> dict[str, Any]:
    return ceremony.authentication_options("sign_in")


def begin_confirm(person: Person) -> dict[str, Any]:
    ids = list(Passkey.objects.filter(person=person).values_list("credential_id", flat=True))
    return ceremony.authentication_options("confirm", person_id=person.pk, allow=ids)


class SignInRefused(Exception):
    """A passkey did not sign anyone in; ``passkey`` is the one it named, if any (for the log)."""

    def __init__(self, reason: str, passkey: Passkey | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.passkey = passkey


def authenticate(
    ceremony_id: Any, credential: Any, *, purpose: str = "sign_in", person: Person | None = None
) -> Passkey:
    """The passkey that answered the challenge, its counter and last use updated; else
    ``SignInRefused``. ``person``: confirming after the link, the passkey must be theirs."""
    try:
        taken = ceremony.take(ceremony_id, purpose, person.pk if person else None)
        credential_id = ceremony.credential_id_of(credential)
    except CeremonyError as exc:
        raise SignInRefused(exc.reason) from exc
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update()
            .select_related("person")
            .filter(credential_id=credential_id)
            .first()
        )
        if passkey is None:
            raise SignInRefused("unknown passkey")
        if person is not None and passkey.person_id != person.pk:
            raise SignInRefused("another person's passkey", passkey)
        # WebAuthn §7.2 step 6: a user handle in the answer must be the one of the person the
        # credential is registered to (the library does not check it).
        if not _same_user_handle(credential, passkey.user_handle):
            raise SignInRefused("user handle", passkey)
        try:
            new_count = ceremony.verify_authentication(
                taken,
                credential,
                public_key=bytes(passkey.public_key),
                sign_count=passkey.sign_count,
            )
        except CeremonyError as exc:
            if "sign count" in exc.reason:
                # Rule: a counter that does not grow means a copy of the key may be in use.
                log.warning(
                    "Passkey %s of %s refused: its signature counter did not increase (%s)",
                    passkey.pk,
                    passkey.person_id,
                    exc.reason,
                )
                raise SignInRefused("counter", passkey) from exc
            raise SignInRefused("invalid", passkey) from exc
        if not passkey.person.is_active or (person is None and not has_access(passkey.person)):
            raise SignInRefused("no access", passkey)
        passkey.sign_count = new_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def _same_user_handle(credential: Any, expected: str) -> bool:
    """Whether the answer's ``userHandle`` (optional) names ``expected`` (base64url), byte for
    byte; anything malformed does not."""
    response = credential.get("response") if isinstance(credential, dict) else None
    handle = response.get("userHandle") if isinstance(response, dict) else None
    if handle is None or handle == "":
        return True
    if not isinstance(handle, str) or len(handle) > 200:
        return False
    try:
        return base64url_to_bytes(handle) == base64url_to_bytes(expected)
    except (ValueError, TypeError):
        return False


def rename(passkey: Passkey, name: Any, *, ip: str | None) -> None:
    passkey.name = clean_name(name)
    passkey.save(update_fields=["name"])


@transaction.atomic
def remove(passkey: Passkey, *, ip: str | None) -> None:
    passkey.delete()
    record(
        Activity.Verb.SETTINGS_CHANGED,
        actor=passkey.person,
        ip=ip,
        target=passkey.name,
        detail={"passkey": "removed"},
    )


class ResetRefused(Exception):
    """Another organisation of the person relies on their passkeys (``queries.reset_refused``)."""


@transaction.atomic
def reset(person: Person, *, by: By, facility: Facility | None = None) -> int:
    """Delete all of ``person``'s passkeys (they lost them): at their next sign-in a requiring
    organisation has them set up a new one. Recorded (who did it), and the person is told.

    ``by`` acting for a partner resets as that partner, else as ``facility`` (its primary
    contact); ``ResetRefused`` when another organisation of the person requires a passkey or
    single sign-on. The operator (neither) may always."""
    if by.partner is not None or facility is not None:
        refused = queries.reset_refused(
            person.pk,
            facility_id=facility.pk if facility is not None else None,
            partner_id=by.partner.pk if by.partner is not None else None,
        )
        if refused:
            raise ResetRefused(person.email)
    count, _ = Passkey.objects.filter(person=person).delete()
    who = by.recorded()
    record(
        Activity.Verb.SETTINGS_CHANGED,
        **who,
        partner=by.partner,
        facility=facility,
        target=person.email,
        detail={"passkey": "reset", "removed": count},
    )
    enqueue(
        to=person.email,
        subject=f"Your passkeys for {settings.HUB_NAME} were reset",
        template="passkeys/email/reset",
        context={"person": person, "by": who["actor_label"], "count": count},
    )
    return count


@transaction.atomic
def set_facility_policy(facility: Facility, required: bool, *, by: By) -> bool:
    """Require (or stop requiring) a passkey or single sign-on at ``facility``; recorded.

    ``by`` acting for the partner sets the partner's switch, anyone else (a primary contact)
    the facility's own: neither turns off what the other required."""
    field = "require_strong_sign_in"
    if by.partner is not None:
        field = "partner_requires_strong_sign_in"
    changed = (
        Facility.objects.filter(pk=facility.pk)
        .exclude(**{field: required})
        .update(**{field: required, "updated_at": timezone.now()})
    )
    setattr(facility, field, required)
    if changed:
        record(
            Activity.Verb.SETTINGS_CHANGED,
            **by.recorded(),
            facility=facility,
            target=facility.name,
            detail={"require_strong_sign_in": required},
        )
    return bool(changed)


@transaction.atomic
def set_partner_policy(partner: Partner, required: bool, *, by: By) -> bool:
    """Require (or stop requiring) a passkey or single sign-on of the partner's staff."""
    changed = (
        Partner.objects.filter(pk=partner.pk)
        .exclude(require_strong_sign_in=required)
        .update(require_strong_sign_in=required)
    )
    partner.require_strong_sign_in = required
    if changed:
        record(
            Activity.Verb.SETTINGS_CHANGED,
            **by.recorded(),
            partner=partner,
            target=f"{partner.name} staff",
            detail={"require_strong_sign_in": required},
        )
    return bool(changed)
