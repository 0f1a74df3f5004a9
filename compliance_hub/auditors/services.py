"""Giving, revoking and using auditor access; the auditor's actions in the activity log.

A primary contact grants an e-mail address read-only access to one facility for one audit
period, until a chosen date. The answer is the same whether or not the address has an
account: the account is made with the grant when there is none, and the access applies to
whoever controls the mailbox (sign-in is by e-mailed link). Bad input raises
``ValidationError`` with field-keyed messages and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from compliance_hub.accounts.models import Person, normalize_email
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.audits.models import Reconciliation
from compliance_hub.core import ratelimit
from compliance_hub.core.dates import human_date
from compliance_hub.core.text import refuse_bidi
from compliance_hub.facilities.models import Facility, Membership
from compliance_hub.mailer.services import enqueue
from compliance_hub.webhooks import emit as webhooks

DEFAULT_DAYS = 30  # a grant ends this many days from today unless the granter chooses
MAX_DAYS = 90  # and never later than this
MAX_PERIOD_DAYS = 3 * 366  # an audit period is a policy term: at most three years


class GrantRateLimited(Exception):
    """The granter gave ``INVITATION_RATE_PER_INVITER`` grants in the last day already."""


def default_expiry(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=DEFAULT_DAYS)


def end_of(day: date) -> datetime:
    """The grant's end: midnight after ``day``, in the hub's time zone (the day included)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# --- granting ----------------------------------------------------------------------------


def _is_primary(person: Person, facility: Facility) -> bool:
    return (
        person.is_active
        and Membership.objects.filter(
            person=person, facility=facility, role=Membership.Role.PRIMARY, revoked_at__isnull=True
        ).exists()
    )


def grant(
    facility: Facility,
    *,
    email: str,
    firm: str,
    period_start: date,
    period_end: date,
    expires_on: date | None = None,
    reconciliation_ids: Sequence[int] = (),
    by: Person,
    ip: str | None = None,
) -> AuditorGrant:
    """Give ``email`` read-only access to ``facility`` for the audit period, until the end of
    ``expires_on`` (default: 30 days from today; at most 90), with the chosen reconciliations
    shared. Only a primary contact of the facility may; the auditor is e-mailed."""
    address = normalize_email(email)
    firm = " ".join(firm.split())
    today = timezone.localdate()
    expires_on = expires_on or default_expiry(today)
    shared = _check(facility, address, firm, period_start, period_end, expires_on, today, by)
    shared = shared.filter(pk__in=list(reconciliation_ids)) if reconciliation_ids else shared.none()
    if len(set(reconciliation_ids)) != shared.count():
        raise ValidationError({"reconciliations": "Choose only this facility's reconciliations."})
    decision = ratelimit.hit(
        "auditor-grant", f"person:{by.pk}", limit=settings.INVITATION_RATE_PER_INVITER, window=86400
    )
    if not decision.allowed:
        raise GrantRateLimited("Too many auditor grants today. Try again tomorrow.")
    with transaction.atomic():
        person = _account(address)
        created = AuditorGrant.objects.create(
            facility=facility,
            person=person,
            email=address,
            firm=firm,
            period_start=period_start,
            period_end=period_end,
            expires_at=end_of(expires_on),
            granted_by=by,
            granted_by_label=by.email,
        )
        created.reconciliations.set(shared)
        webhooks.auditor_access_granted(created)
        if person.is_active:  # a deactivated account could not sign in: nothing to send
            _send(created)
        record(
            Activity.Verb.AUDITOR_GRANTED,
            actor=by,
            ip=ip,
            facility=facility,
            target=address,
            detail={
                "auditor_grant": created.pk,
                "what": f"{firm}, audit period {created.period_text}, until "
                f"{human_date(expires_on)}",
                "reconciliations": sorted(r.pk for r in shared),
            },
        )
    return created


def _check(
    facility: Facility,
    address: str,
    firm: str,
    start: date,
    end: date,
    expires_on: date,
    today: date,
    by: Person,
) -> Any:
    errors: dict[str, str] = {}
    try:
        validate_email(address)
        refuse_bidi(address)
    except ValidationError:
        errors["email"] = "Enter an e-mail address like auditor@example.com."
    if not firm:
        errors["firm"] = "Name the carrier or audit firm the auditor works for."
    elif len(firm) > 200:
        errors["firm"] = "Use at most 200 characters."
    else:
        try:
            refuse_bidi(firm)
        except ValidationError as exc:
            errors["firm"] = exc.messages[0]
    if end < start:
        errors["period_end"] = "The audit period ends on or after it starts."
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors["period_end"] = "An audit period is at most three years."
    if expires_on < today:
        errors["expires_on"] = "Choose today or a later day."
    elif expires_on > today + timedelta(days=MAX_DAYS):
        latest = human_date(today + timedelta(days=MAX_DAYS))
        errors["expires_on"] = f"Access can last at most {MAX_DAYS} days: until {latest}."
    if errors:
        raise ValidationError(errors)
    if not _is_primary(by, facility):
        raise ValidationError({"facility": "Only a primary contact can give an auditor access."})
    if AuditorGrant.objects.filter(
        facility=facility, email=address, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists():
        raise ValidationError(
            {"email": f"{address} already has auditor access here; revoke it to give new access."}
        )
    return Reconciliation.objects.filter(facility=facility)


def _account(address: str) -> Person:
    person = Person.objects.get_by_email(address)
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return Person.objects.create_user(address)
    except IntegrityError:  # made concurrently
        return Person.objects.get(email=address)


def sign_in_url(grant: AuditorGrant) -> str:
    """The sign-in page with the auditor's address filled in, leading to the facility."""
    target = reverse("certificates:table", kwargs={"facility_id": grant.facility_id})
    query = urlencode({"email": grant.email, "next": target})
    return f"{settings.SITE_URL}{reverse('accounts:sign_in')}?{query}"


def _send(grant: AuditorGrant) -> None:
    facility = grant.facility
    enqueue(
        to=grant.email,
        subject=f"Audit access to {facility.name} on {settings.HUB_NAME}",
        template="auditors/email/granted",
        context={
            "grant": grant,
            "facility": facility,
            "granter": grant.granter_name,
            "period": grant.period_text,
            "until": grant.until_text,
            "link": sign_in_url(grant),
        },
    )


# --- revoking ----------------------------------------------------------------------------


def revoke(grant: AuditorGrant, *, by: Person, ip: str | None = None) -> None:
    """End the grant now (kept for the record). Only a primary contact of its facility may."""
    if not _is_primary(by, grant.facility):
        raise ValidationError({"grant": "Only a primary contact can revoke an auditor's access."})
    now = timezone.now()
    with transaction.atomic():
        ended = AuditorGrant.objects.filter(
            pk=grant.pk, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now, revoked_by=by)
        if not ended:
            raise ValidationError({"grant": "This access has already ended."})
        record(
            Activity.Verb.AUDITOR_REVOKED,
            actor=by,
            ip=ip,
            facility=grant.facility,
            target=grant.email,
            detail={"auditor_grant": grant.pk, "what": grant.firm},
        )
    grant.revoked_at, grant.revoked_by = now, by


# --- what the auditor does ----------------------------------------------------------------


def record_action(
    grant: AuditorGrant,
    verb: str,
    *,
    ip: str | None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> Activity:
    """One of the auditor's actions, in the facility's log, naming the auditor and the firm."""
    return record(
        verb,
        actor=grant.person,
        ip=ip,
        actor_label=grant.actor_label,
        facility=grant.facility,
        target=target,
        detail={**(detail or {}), "auditor_grant": grant.pk},
    )
