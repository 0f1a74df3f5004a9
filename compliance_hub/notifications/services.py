"""Writing notifications: preferences, the certificate-change e-mails and the weekly digest.

Both e-mails go through the outbox (``mailer.enqueue``) in the same transaction as the
record that says they were sent, so a worker that dies mid-round sends nothing twice and
loses nothing: the round is rolled back and done again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates.models import Certificate
from compliance_hub.core.dates import human_date
from compliance_hub.mailer.services import enqueue, enqueue_many
from compliance_hub.notifications import links, queries
from compliance_hub.notifications.changes import differences
from compliance_hub.notifications.models import (
    CertificateNotice,
    DigestWeek,
    Preferences,
    Watermark,
)
from compliance_hub.notifications.queries import Change, Kind

# The change feed's watermark starts where migration 0002 put it (when notifications were
# installed), or at the job's first round: a new installation does not mail about the
# certificates voided before it.
CHANGES_FEED = "certificate-changes"
# One e-mail lists at most this many changed certificates in full; the rest are counted.
LISTED = 20

LABELS: dict[Kind, str] = {
    "weekly_digest": "weekly digest",
    "certificate_changes": "certificate change e-mails",
}


# --- preferences ------------------------------------------------------------------------


@transaction.atomic
def save_preferences(
    person: Any, *, ip: str | None = None, **choices: bool
) -> tuple[Preferences, list[str]]:
    """Save the person's choices (``weekly_digest``, ``certificate_changes``); return their
    preferences and what changed, in words ("weekly digest off"), which the activity log
    records. Nothing changed: nothing is written."""
    preferences = Preferences.objects.select_for_update().filter(
        person_id=person.pk
    ).first() or Preferences(person_id=person.pk)
    changed = []
    for kind in queries.KINDS:
        if kind in choices and getattr(preferences, kind) != bool(choices[kind]):
            setattr(preferences, kind, bool(choices[kind]))
            changed.append(f"{LABELS[kind]} {'on' if choices[kind] else 'off'}")
    if not changed:
        return preferences, []
    preferences.updated_at = timezone.now()
    preferences.save()
    # A person's own setting, at no facility (like sign-ins); "what" says which.
    record(
        Activity.Verb.SETTINGS_CHANGED,
        actor=person,
        ip=ip,
        target=person.email,
        detail={"what": "e-mail notifications: " + ", ".join(changed)},
    )
    return preferences, changed


def unsubscribe(person_id: int, kind: Kind, *, ip: str | None = None) -> bool:
    """Turn ``kind`` off for the person (a one-click unsubscribe); False if no such person."""
    from compliance_hub.accounts.models import Person

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return False
    save_preferences(person, ip=ip, **{kind: False})
    return True


# --- certificate changes ----------------------------------------------------------------


def notify_certificate_changes(batch: int = 50, *, now: datetime | None = None) -> int:
    """One round of the worker: announce up to ``batch`` certificate changes (void or
    superseded) past the durable watermark; return how many changes were read (the worker
    comes straight back while there are more; most changes concern nobody who looked).

    A change is read once it is ``NOTIFICATIONS_SETTLE_SECONDS`` old: the hub stamps a change
    with the time its transaction began, so a younger one might still commit behind the
    watermark. The watermark row is locked for the round (one worker at a time) and moves in
    the same transaction as the notices and e-mails; the unique notice per (certificate,
    person) guards the rest.
    """
    now = now or timezone.now()
    until = now - timedelta(seconds=settings.NOTIFICATIONS_SETTLE_SECONDS)
    with transaction.atomic():
        mark, _ = Watermark.objects.select_for_update().get_or_create(
            feed=CHANGES_FEED, defaults={"at": until, "key": 0}
        )
        changes = queries.changes_after((mark.at, mark.key), until, max(1, batch))
        if not changes:
            return 0
        _announce(changes, now)
        mark.at, mark.key = changes[-1].position
        mark.updated_at = now
        mark.save(update_fields=["at", "key", "updated_at"])
    return len(changes)


def _announce(changes: list[Change], now: datetime) -> int:
    """Queue one e-mail per person to tell about ``changes``; return how many."""
    by_id = {c.certificate_id: c for c in changes}
    certificates = queries.changed_certificates(by_id)
    relied = queries.relied_on(list(certificates.values()), by_id)
    if not relied:
        return 0
    recipients = queries.change_recipients({f for fs in relied.values() for f in fs})
    told = queries.already_told(relied)
    # Person -> the changed certificates to tell them about, each with the facility
    # through which they know it.
    items: dict[int, list[tuple[Certificate, int]]] = defaultdict(list)
    emails: dict[int, str] = {}
    for certificate_id, facility_ids in relied.items():
        for facility_id in sorted(facility_ids):
            for person_id, email in recipients.get(facility_id, []):
                if (certificate_id, person_id) in told:
                    continue
                told.add((certificate_id, person_id))
                items[person_id].append((certificates[certificate_id], facility_id))
                emails[person_id] = email
    notices = []
    for person_id, certs in items.items():
        message = _change_email(person_id, emails[person_id], certs, by_id)
        notices += [
            CertificateNotice(
                certificate=c, person_id=person_id, facility_id=f, email=message, created_at=now
            )
            for c, f in certs
        ]
    CertificateNotice.objects.bulk_create(notices)
    return len(items)


def _describe(certificate: Certificate, facility_id: int, change: Change) -> dict[str, Any]:
    snapshot = certificate.snapshot if isinstance(certificate.snapshot, dict) else {}
    stated = snapshot.get("assignment") or {}
    assignment = certificate.assignment
    new = getattr(certificate, "superseded_by", None) if change.kind == "superseded" else None
    at_same_facility = assignment.facility_id == facility_id
    # After a move to another facility the successor is that facility's certificate: this
    # facility's people are told it moved, never its number, dates, work or policy values.
    moved = new is not None and not at_same_facility
    current = None
    if new is not None and at_same_facility:
        current = links.absolute(
            reverse("certificates:view", kwargs={"facility_id": facility_id, "number": new.number})
        )
    return {
        "number": certificate.number,
        "contractor": (snapshot.get("insured") or {}).get("name") or assignment.contractor_name,
        "effective": _day(stated.get("effective_date")),
        "end": _day(stated.get("end_date")),
        "kind": change.kind,
        "when": human_date(timezone.localtime(change.at).date()),
        "new_number": new.number if new is not None and not moved else "",
        "moved": moved,
        "changes": differences(certificate.snapshot, new.snapshot)
        if new is not None and not moved
        else [],
        "current_url": current,
        # After a move to another facility, this facility sees neither certificate any more.
        "old_url": links.absolute(
            reverse(
                "certificates:view",
                kwargs={"facility_id": facility_id, "number": certificate.number},
            )
        )
        if at_same_facility
        else None,
        "history_url": links.absolute(
            reverse(
                "certificates:history",
                kwargs={"facility_id": facility_id, "assignment_id": assignment.pk},
            )
        )
        if at_same_facility
        else None,
    }


def _day(value: Any) -> str:
    try:
        return human_date(date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _change_email(
    person_id: int,
    email: str,
    certs: list[tuple[Certificate, int]],
    changes: dict[int, Change],
) -> Any:
    described = [_describe(c, f, changes[c.pk]) for c, f in certs]
    tables = sorted(
        {
            f: links.absolute(reverse("certificates:table", kwargs={"facility_id": f}))
            for _, f in certs
        }.items()
    )
    if len(described) == 1:
        one = described[0]
        if one["kind"] == "void":
            subject = f"Certificate {one['number']} ({one['contractor']}) is now void"
        elif one["moved"]:
            subject = (
                f"Certificate {one['number']} ({one['contractor']}) no longer applies: "
                "the assignment moved to another facility"
            )
        else:
            subject = (
                f"Certificate {one['number']} ({one['contractor']}) was replaced by "
                f"{one['new_number']}"
            )
    else:
        subject = f"{len(described)} certificates your facility used have changed"
    return enqueue(
        to=email,
        subject=subject,
        template="notifications/email/certificate_changed",
        context={
            "items": described[:LISTED],
            "more": max(0, len(described) - LISTED),
            "total": len(described),
            "table_urls": [url for _, url in tables],
            "settings_url": links.settings_url(),
            "unsubscribe_url": links.unsubscribe_url(person_id, "certificate_changes"),
        },
        headers=links.mail_headers(person_id, "certificate_changes"),
    )


# --- the weekly digest ------------------------------------------------------------------


def digest_due(now: datetime) -> tuple[datetime, datetime]:
    return queries.digest_period(
        now, settings.NOTIFICATIONS_DIGEST_WEEKDAY, settings.NOTIFICATIONS_DIGEST_HOUR
    )


def send_weekly_digest(batch: int = 50, *, now: datetime | None = None) -> int:
    """The worker's weekly job: once the scheduled moment has passed, send the digest of the
    week that ended then (once: ``DigestWeek`` is written in the same transaction as the
    e-mails); return how many were queued. ``batch`` does not apply: a week is one
    transaction, all or nothing. The job's very first run only records the week that is due
    (a new installation does not mail about the weeks before it)."""
    start, end = digest_due(now or timezone.now())
    if DigestWeek.objects.filter(period_end=end).exists():
        return 0
    first = not DigestWeek.objects.exists()
    try:
        with transaction.atomic():
            week = DigestWeek.objects.create(
                period_start=start, period_end=end, emails=0, skipped=first
            )
            if first:
                return 0  # the week before the first run: recorded, not sent
            week.emails = build_digests(start, end)
            week.sent_at = timezone.now()
            week.save(update_fields=["emails", "sent_at"])
    except IntegrityError:
        return 0  # another worker sent this week
    return week.emails


def build_digests(start: datetime, end: datetime) -> int:
    """Queue one digest per person who wants it and has news at one of their facilities in
    ``[start, end)``; return how many. Set-based: the week's news of every facility is read
    with one grouped query per kind, then shared out among the people."""
    return queue_digests(queries.week_news(start, end), start, end)


def queue_digests(news: dict[int, queries.FacilityNews], start: datetime, end: datetime) -> int:
    """``build_digests`` with the week's news read: the recipients, then one e-mail each
    (stored a few hundred at a time)."""
    period = {
        "start": human_date(queries.as_date(start)),
        "end": human_date(queries.as_date(end - timedelta(seconds=1))),
    }

    def digests() -> Iterator[dict[str, Any]]:
        for person_id, (email, facility_ids) in queries.digest_recipients().items():
            sections = [
                news[f] for f in facility_ids if f in news and not _only_themselves(news[f], email)
            ]
            if not sections:
                continue  # nothing to report: no e-mail
            yield {
                "to": email,
                "subject": _digest_subject(sections, period),
                "template": "notifications/email/digest",
                "context": {
                    "facilities": [_facility_context(s) for s in sections],
                    "period": period,
                    "settings_url": links.settings_url(),
                    "unsubscribe_url": links.unsubscribe_url(person_id, "weekly_digest"),
                },
                "headers": links.mail_headers(person_id, "weekly_digest"),
            }

    return enqueue_many(digests())


def _only_themselves(news: queries.FacilityNews, email: str) -> bool:
    """The facility's only news is that this person joined it: not worth an e-mail to them."""
    only_members = news.members.count == 1 and news.is_empty_but_members
    return only_members and news.members.examples[0].get("person__email") == email


def _digest_subject(sections: list[queries.FacilityNews], period: dict[str, str]) -> str:
    where = sections[0].name if len(sections) == 1 else f"{len(sections)} facilities"
    return f"Your week at {where}: {period['start']} to {period['end']}"


def _facility_context(news: queries.FacilityNews) -> dict[str, Any]:
    def url(name: str, query: str = "", **kwargs: Any) -> str:
        return links.absolute(
            reverse(name, kwargs={"facility_id": news.facility_id, **kwargs}) + query
        )

    def certificate(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "number": row["number"],
            "contractor": row["assignment__contractor_name"],
            "new_number": row.get("superseded_by__number") or "",
            "url": url("certificates:history", assignment_id=row["assignment_id"]),
        }

    return {
        "name": news.name,
        "new": {"count": news.new.count, "examples": [certificate(r) for r in news.new.examples]},
        "void": {
            "count": news.void.count,
            "examples": [certificate(r) for r in news.void.examples],
        },
        "superseded": {
            "count": news.superseded.count,
            "examples": [certificate(r) for r in news.superseded.examples],
        },
        "members": {
            "count": news.members.count,
            "examples": [
                {"name": r["person__name"] or r["person__email"], "email": r["person__email"]}
                for r in news.members.examples
            ],
        },
        "reconciliations": {
            "count": news.reconciliations.count,
            "examples": [
                {
                    "file_name": r["file_name"],
                    "by": r["created_by_label"],
                    "rows": r["row_count"],
                    "url": url("audits:result", reconciliation_id=r["id"]),
                }
                for r in news.reconciliations.examples
            ],
        },
        "table_url": url("certificates:table"),
        "void_url": url("certificates:table", "?status=void"),
        "team_url": url("facilities:team"),
        "audits_url": url("audits:list"),
    }
