"""Invitations and team membership: invite, resend, revoke, accept, decline, remove.

Used by the team page, the partner API and console, the operator admin and ``compliance-hub
invite``. Nobody becomes a member without accepting an invitation, and the inviter's answer
never depends on whether the address has an account. Bad input raises ``ValidationError``
with field-keyed messages and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken, normalize_email
from compliance_hub.accounts.services import describe_duration
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.core import ratelimit
from compliance_hub.facilities.models import Facility, Invitation, Membership, Partner
from compliance_hub.facilities.queries import memberships_of, open_invitations
from compliance_hub.mailer.services import enqueue
from compliance_hub.webhooks import emit as webhooks

PRIMARY = Membership.Role.PRIMARY
MEMBER = Membership.Role.MEMBER


@dataclass(frozen=True)
class By:
    """Who acts: a ``person`` (the team page), a ``partner`` (its API and console) or, with
    neither, the operator. The activity log names ``actor`` (``person`` unless given) and
    ``label`` (unless given: the person's address, the staff person's address with the
    partner's name, the partner, or "operator"; API calls give the key's ``actor_label``)."""

    person: Person | None = None
    partner: Partner | None = None
    actor: Person | None = None
    ip: str | None = None
    label: str = ""

    def recorded(self) -> dict[str, Any]:
        """The ``activity.services.record`` arguments that say who acted, from where."""
        if self.label:
            label = self.label
        elif self.person is not None:
            label = self.person.email
        elif self.partner is not None and self.actor is not None:
            label = f"{self.actor.email} ({self.partner.name})"  # staff acting for the partner
        elif self.partner is not None:
            label = self.partner.name
        else:
            label = "operator"
        return {"actor": self.actor or self.person, "ip": self.ip, "actor_label": label}


OPERATOR = By()


class InvitationRateLimited(Exception):
    """The inviter sent ``INVITATION_RATE_PER_INVITER`` invitations in the last day already."""

    def __init__(self, retry_after: int) -> None:
        hours = max(1, round(retry_after / 3600))
        super().__init__(
            "Too many invitations sent today. "
            f"Try again in about {hours} hour{'s' if hours != 1 else ''}."
        )
        self.retry_after = retry_after


class InvitationUnavailable(Exception):
    """The invitation link was used, revoked or has expired."""


# --- inviting --------------------------------------------------------------------------


def invite(
    *,
    email: str,
    facilities: Sequence[Facility],
    role: str,
    name: str = "",
    by: By = OPERATOR,
) -> Invitation:
    """Invite ``email`` to ``facilities``: access begins when the recipient accepts.

    The same for every address, with or without an account: the inviter learns nothing
    about it.
    """
    address = normalize_email(email)
    chosen = _distinct(facilities)
    check_invite(email=address, facilities=chosen, role=role, name=name, by=by)
    _charge(by)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=address,
            name=name.strip(),
            role=role,
            invited_by=by.person,
            invited_by_partner=by.partner,
            expires_at=timezone.now() + timedelta(seconds=settings.INVITATION_TTL),
        )
        invitation.facilities.set(chosen)
        _send_invitation(invitation, chosen)
        _record(Activity.Verb.INVITED, invitation, chosen, by, role=role)
    return invitation


def sent_message(invitation: Invitation) -> str:
    """What the inviter is told once ``invite`` succeeded (the same for every address)."""
    return f"Invitation sent to {invitation.email}."


def check_invite(
    *,
    email: str,
    facilities: Sequence[Facility],
    role: str,
    name: str = "",
    by: By = OPERATOR,
) -> None:
    """Validate an invitation without writing anything: raises ``ValidationError``
    (field-keyed) exactly as ``invite`` would.

    Someone who already has this access is refused; whoever may invite to these facilities
    sees their people anyway (team page, partner console and API), so that says nothing new.
    """
    address = normalize_email(email)
    chosen = _distinct(facilities)
    _validate(address, chosen, role, name, by)
    _check_inviter(chosen, role, by)
    if chosen and _has_access(address, chosen, role):
        raise ValidationError({"email": f"{address} already has this access to {_names(chosen)}."})


def _distinct(facilities: Sequence[Facility]) -> list[Facility]:
    seen: dict[int, Facility] = {}
    for facility in facilities:
        seen.setdefault(facility.pk, facility)
    return list(seen.values())


def _validate(address: str, facilities: list[Facility], role: str, name: str, by: By) -> None:
    errors: dict[str, str] = {}
    try:
        validate_email(address)
    except ValidationError:
        errors["email"] = "Enter an e-mail address like name@example.com."
    if role not in Membership.Role.values:
        errors["role"] = "Choose primary or member."
    if not facilities:
        errors["facilities"] = "Choose at least one facility."
    if len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    if by.person is not None and by.partner is not None:
        errors["invited_by"] = "An invitation comes from a person or a partner, not both."
    if errors:
        raise ValidationError(errors)


def _check_inviter(facilities: list[Facility], role: str, by: By) -> None:
    if by.partner is not None:
        if any(f.partner_id != by.partner.pk for f in facilities):
            raise ValidationError(
                {"facilities": "You can only invite people to your own facilities."}
            )
        return
    if by.person is None:
        return  # the operator
    own = {m.facility_id: m for m in memberships_of(by.person).filter(facility__in=facilities)}
    if not by.person.is_active or any(f.pk not in own for f in facilities):
        raise ValidationError(
            {"facilities": "You can only invite people to facilities you belong to."}
        )
    if role == PRIMARY and any(m.role != PRIMARY for m in own.values()):
        raise ValidationError(
            {"role": "Only a primary contact of every chosen facility can add a primary contact."}
        )


def _has_access(address: str, facilities: list[Facility], role: str) -> bool:
    """Whether ``address`` is a member of every facility, as primary contact if ``role`` is."""
    current = dict(
        Membership.objects.filter(
            person__email=address, facility__in=facilities, revoked_at__isnull=True
        ).values_list("facility_id", "role")
    )
    return all(
        f.pk in current and (role != PRIMARY or current[f.pk] == PRIMARY) for f in facilities
    )


def _charge(by: By) -> None:
    if by.person is not None:
        subject = f"person:{by.person.pk}"
    elif by.partner is not None:
        subject = f"partner:{by.partner.pk}"
    else:
        return  # operators are not limited
    decision = ratelimit.hit(
        "invite", subject, limit=settings.INVITATION_RATE_PER_INVITER, window=86400
    )
    if not decision.allowed:
        raise InvitationRateLimited(decision.retry_after)


def _send_invitation(invitation: Invitation, facilities: Sequence[Facility]) -> None:
    """Issue a fresh invitation link (valid until the invitation expires) and queue the e-mail.

    Someone who already uses the hub reads "accept or decline"; a deactivated account gets
    nothing (it could not accept).
    """
    person = Person.objects.filter(email=invitation.email).first()
    if person is not None and not person.is_active:
        return
    ttl = max(1, int((invitation.expires_at - timezone.now()).total_seconds()))
    issued = tokens.issue(
        purpose=SignInToken.Purpose.INVITATION,
        email=invitation.email,
        invitation=invitation,
        ttl=ttl,
    )
    inviter = inviter_name(invitation, facilities)
    enqueue(
        to=invitation.email,
        subject=f"{inviter} invited you to {_names(facilities)} on {settings.HUB_NAME}",
        template="facilities/email/invitation",
        context={
            "invitation": invitation,
            "existing": person is not None,
            "inviter": inviter,
            "facilities": list(facilities),
            "role": Membership.Role(invitation.role).label,
            "link": settings.SITE_URL + reverse("facilities:invitation_link", args=[issued.raw]),
            "valid_for": describe_duration(ttl),
            "expires_at": invitation.expires_at,
        },
        sensitive=True,
    )


def inviter_name(invitation: Invitation, facilities: Sequence[Facility] = ()) -> str:
    """Who the invitation comes from, as its recipient should read it."""
    if invitation.invited_by is not None:
        person = invitation.invited_by
        return f"{person.name} ({person.email})" if person.name else person.email
    if invitation.invited_by_partner is not None:
        return invitation.invited_by_partner.name
    first = facilities[0] if facilities else invitation.facilities.select_related("partner").first()
    return first.partner.name if first is not None else settings.HUB_NAME


def _names(facilities: Sequence[Facility]) -> str:
    names = [f.name for f in facilities]
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]} and {len(names) - 1} other facilities"


# --- managing pending invitations ------------------------------------------------------


def resend(invitation: Invitation, by: By = OPERATOR) -> Invitation:
    """Send a fresh link, valid ``INVITATION_TTL`` from now (an expired invitation is renewed)."""
    facilities = list(invitation.facilities.select_related("partner"))
    if by.person is not None:
        mine = set(memberships_of(by.person).values_list("facility_id", flat=True))
        if not any(f.pk in mine for f in facilities):
            raise ValidationError({"invitation": "You can't resend this invitation."})
    elif by.partner is not None and not any(f.partner_id == by.partner.pk for f in facilities):
        raise ValidationError({"invitation": "You can't resend this invitation."})
    if invitation.accepted_at is not None or invitation.revoked_at is not None or not facilities:
        raise ValidationError(
            {"invitation": "This invitation was already answered or revoked; send a new one."}
        )
    _charge(by)
    _reissue(invitation, facilities, by)
    return invitation


def renew(invitation: Invitation, *, ip: str | None = None) -> Invitation:
    """Re-send an open invitation because its recipient asked (the "new link" button).

    The caller applies the sign-in rate limits; answered or revoked invitations are left alone.
    """
    facilities = list(invitation.facilities.select_related("partner"))
    if invitation.accepted_at is None and invitation.revoked_at is None and facilities:
        _reissue(invitation, facilities, By(ip=ip, label="invitee"))
    return invitation


def _reissue(invitation: Invitation, facilities: list[Facility], by: By) -> None:
    with transaction.atomic():
        invitation.expires_at = timezone.now() + timedelta(seconds=settings.INVITATION_TTL)
        invitation.save(update_fields=["expires_at"])
        _send_invitation(invitation, facilities)
        _record(
            Activity.Verb.INVITED, invitation, facilities, by, role=invitation.role, resent=True
        )


def revoke(invitation: Invitation, by: By = OPERATOR, *, facility: Facility | None = None) -> None:
    """Withdraw a pending invitation (only for ``facility`` if given; whole when none is left).

    A person may revoke what they sent, or anything as a primary contact of the facility.
    """
    facilities = list(invitation.facilities.all())
    scope = [f for f in facilities if facility is None or f.pk == facility.pk]
    if by.partner is not None:
        scope = [f for f in scope if f.partner_id == by.partner.pk]
    elif by.person is not None:
        roles = {m.facility_id: m.role for m in memberships_of(by.person)}
        sent_it = invitation.invited_by_id == by.person.pk
        if any(f.pk not in roles or not (sent_it or roles[f.pk] == PRIMARY) for f in scope):
            scope = []
    if not scope:
        raise ValidationError({"invitation": "You can't revoke this invitation."})
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError({"invitation": "This invitation was already answered or revoked."})
    with transaction.atomic():
        if len(scope) == len(facilities):
            _close(invitation)
        else:
            invitation.facilities.remove(*scope)
        _record(Activity.Verb.INVITATION_REVOKED, invitation, scope, by)


def _record(
    verb: str, invitation: Invitation, facilities: Sequence[Facility], by: By, **detail: Any
) -> None:
    """One activity record about ``invitation`` at each of ``facilities``."""
    for facility in facilities:
        record(
            verb,
            **by.recorded(),
            facility=facility,
            target=invitation.email,
            detail={"invitation": invitation.pk, **detail},
        )


def _close(invitation: Invitation) -> None:
    """No link of the invitation works any more (revoked, declined, or nowhere left to go)."""
    now = timezone.now()
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    invitation.tokens.filter(used_at__isnull=True).update(used_at=now)


# --- answering -------------------------------------------------------------------------


def accept(token: SignInToken, *, ip: str | None = None) -> Person:
    """Accept with the e-mailed link: create the person if new, then the memberships.

    Raises ``InvitationUnavailable`` if the link or invitation was used, answered, revoked
    or has expired. The caller signs the person in.
    """
    if token.purpose != SignInToken.Purpose.INVITATION or token.invitation_id is None:
        raise InvitationUnavailable
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=token.invitation_id)
        if not invitation.is_pending or not tokens.consume(token):
            raise InvitationUnavailable
        person = Person.objects.get_by_email(invitation.email)
        if person is None:
            person = Person.objects.create_user(invitation.email, name=invitation.name)
        if not person.is_active:
            raise InvitationUnavailable
        _accept(invitation, person, ip)
    return person


def accept_as(person: Person, invitation_id: int, *, ip: str | None = None) -> list[Facility]:
    """Accept, signed in, an open invitation addressed to ``person``; return its facilities.

    Raises ``InvitationUnavailable`` for any other invitation (someone else's, answered,
    revoked, expired).
    """
    with transaction.atomic():
        invitation = (
            open_invitations(person.email).select_for_update().filter(pk=invitation_id).first()
        )
        if invitation is None or not person.is_active:
            raise InvitationUnavailable
        return _accept(invitation, person, ip)


def _accept(invitation: Invitation, person: Person, ip: str | None) -> list[Facility]:
    facilities = list(invitation.facilities.select_related("partner"))
    for facility in facilities:
        _add_membership(person, facility, invitation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    invitation.tokens.filter(used_at__isnull=True).update(used_at=invitation.accepted_at)
    webhooks.invitation_accepted(invitation, facilities)
    _record(
        Activity.Verb.INVITATION_ACCEPTED,
        invitation,
        facilities,
        By(person, ip=ip),
        role=invitation.role,
    )
    return facilities


def _add_membership(person: Person, facility: Facility, invitation: Invitation) -> None:
    """Make ``person`` a member of ``facility`` as the invitation says (or raise to primary)."""
    current = (
        Membership.objects.select_for_update()
        .filter(person=person, facility=facility, revoked_at__isnull=True)
        .first()
    )
    if current is None:
        try:
            with transaction.atomic():
                Membership.objects.create(
                    person=person,
                    facility=facility,
                    role=invitation.role,
                    invited_by=invitation.invited_by,
                    invited_by_partner=invitation.invited_by_partner,
                )
        except IntegrityError:  # added concurrently: already a member
            pass
    elif invitation.role == PRIMARY and current.role != PRIMARY:
        current.role = PRIMARY
        current.save(update_fields=["role"])


def decline(invitation: Invitation) -> None:
    """The recipient says no: the invitation closes and none of its links works again.

    Recorded at each facility without the recipient's identity or address: a facility
    learns no more than that its invitation was declined, from the e-mail or signed in.
    Raises ``InvitationUnavailable`` unless the invitation was still open.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_pending:
            raise InvitationUnavailable
        _close(locked)
        facilities = list(locked.facilities.all())
        _record(
            Activity.Verb.INVITATION_REVOKED, locked, facilities, By(label="invitee"), declined=True
        )


# --- removing --------------------------------------------------------------------------


def remove_member(membership: Membership, by: By = OPERATOR) -> None:
    """End a membership (kept for the record, with who ended it). Effective on the next request.

    A person may leave; a primary contact may remove anyone at their facility; a partner may
    remove anyone at its facilities. Pending invitations the removed person sent for that
    facility are withdrawn too.
    """
    leaving = by.person is not None and by.person.pk == membership.person_id
    if by.partner is not None:
        allowed = membership.facility.partner_id == by.partner.pk
    elif by.person is not None and not leaving:
        own = memberships_of(by.person).filter(facility_id=membership.facility_id).first()
        allowed = own is not None and own.role == PRIMARY
    else:
        allowed = True  # leaving, or the operator
    if not allowed:
        raise ValidationError({"membership": "Only a primary contact can remove team members."})
    now = timezone.now()
    with transaction.atomic():
        ended = Membership.objects.filter(pk=membership.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by.person
        )
        if not ended:
            raise ValidationError({"membership": "This person no longer has access."})
        Person.objects.filter(
            pk=membership.person_id, last_facility_id=membership.facility_id
        ).update(last_facility=None)
        _withdraw_invitations_sent_by(membership)
        membership.revoked_at = now
        membership.revoked_by = by.person
        webhooks.membership_removed(membership)
        record(
            Activity.Verb.LEFT if leaving else Activity.Verb.REMOVED,
            **by.recorded(),
            facility=membership.facility,
            target=membership.person.email,
            detail={"membership": membership.pk, "role": membership.role},
        )
    membership.revoked_at = now
    membership.revoked_by = by.person


def _withdraw_invitations_sent_by(membership: Membership) -> None:
    pending = Invitation.objects.filter(
        invited_by_id=membership.person_id,
        facilities=membership.facility_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    for invitation in pending:
        invitation.facilities.remove(membership.facility_id)
        if not invitation.facilities.exists():
            _close(invitation)


def pending_for(facility: Facility) -> QuerySet[Invitation]:
    """Invitations to ``facility`` that were neither answered nor revoked (expired included)."""
    return (
        Invitation.objects.filter(
            facilities=facility, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by", "invited_by_partner")
        .order_by("-created_at")
    )
