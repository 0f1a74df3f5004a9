"""Reading what notifications need: preferences, certificate changes, who relied on a
certificate, and a week's news of every facility (set-based: one grouped query per kind)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from compliance_hub.activity.models import Activity
from compliance_hub.audits.models import Reconciliation
from compliance_hub.certificates.models import Certificate
from compliance_hub.facilities.models import Facility, Membership
from compliance_hub.notifications.models import CertificateNotice, Preferences

Kind = Literal["weekly_digest", "certificate_changes"]
KINDS: tuple[Kind, ...] = ("weekly_digest", "certificate_changes")

# Views and downloads by a member of the facility: what "someone at the facility relied on
# this certificate" means. A bulk ZIP is one record naming its filters, not its certificates,
# so it does not count here; the weekly digest reports every void and superseded certificate.
RELIED_VERBS = (Activity.Verb.VIEWED, Activity.Verb.DOWNLOADED)
# How many certificates (or people, or reconciliations) the digest names per facility and kind
# (new certificates: the newest one; there may be thousands, and the count says enough).
EXAMPLES = 3


def preferences_of(person: Any) -> Preferences:
    """The person's preferences: their saved row, or the defaults (unsaved)."""
    found = Preferences.objects.filter(person_id=person.pk).first()
    return found or Preferences(person_id=person.pk)


def is_facility_person(person: Any) -> bool:
    """Whether ``person`` has an active membership of a facility (notifications are theirs)."""
    return Membership.objects.filter(
        person_id=person.pk, revoked_at__isnull=True, facility__isnull=False
    ).exists()


def _wants(kind: Kind) -> Q:
    """Membership rows whose person has ``kind`` on (no preferences row: the default, on)."""
    off = Preferences.objects.filter(person_id=OuterRef("person_id"), **{kind: False})
    return Q(revoked_at__isnull=True, person__is_active=True) & ~Q(Exists(off))


# --- certificate changes ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A certificate became void or superseded at ``at``."""

    at: datetime
    certificate_id: int
    kind: Literal["void", "superseded"]

    @property
    def position(self) -> tuple[datetime, int]:
        return self.at, self.certificate_id


def changes_after(position: tuple[datetime, int], until: datetime, limit: int) -> list[Change]:
    """The first ``limit`` changes after ``position`` (exclusive) up to ``until`` (inclusive),
    in ``(at, certificate id)`` order. Two range reads on the partial indexes of voided_at and
    superseded_at (certificates migration 0010), merged."""
    at, key = position
    found: list[Change] = []
    for column, kind in (("voided_at", "void"), ("superseded_at", "superseded")):
        after = Q(**{f"{column}__gt": at}) | Q(**{column: at, "id__gt": key})
        rows = (
            Certificate.objects.filter(**{f"{column}__isnull": False, f"{column}__lte": until})
            .filter(after)
            .order_by(column, "id")
            .values_list(column, "id")[:limit]
        )
        found += [Change(when, pk, kind) for when, pk in rows]  # type: ignore[arg-type]
    found.sort(key=lambda c: c.position)
    return found[:limit]


def changed_certificates(ids: Iterable[int]) -> dict[int, Certificate]:
    """The changed certificates with their assignment and, where superseded, the new one."""
    return {
        c.pk: c
        for c in Certificate.objects.filter(pk__in=list(ids)).select_related(
            "assignment", "assignment__facility", "superseded_by"
        )
    }


def relied_on(
    certificates: Sequence[Certificate], changes: dict[int, Change]
) -> dict[int, set[int]]:
    """Certificate id -> the facilities where a member viewed or downloaded it before its
    change (a superseded certificate may name the facility the assignment moved away from).

    One query over the activity log: by the facilities' index on ``(facility, at)``, within
    the certificates' lifetimes, then by number."""
    if not certificates:
        return {}
    facility_ids = {c.assignment.facility_id for c in certificates}
    holders = {
        (c.assignment.partner_id, str((c.snapshot.get("holder") or {}).get("external_id", "")))
        for c in certificates
        if isinstance(c.snapshot, dict)
    }
    holder_q = Q()
    for partner_id, external_id in holders:
        holder_q |= Q(partner_id=partner_id, external_id=external_id)
    if holders:
        facility_ids |= set(Facility.objects.filter(holder_q).values_list("pk", flat=True))
    member = Membership.objects.filter(
        person_id=OuterRef("actor_id"), facility_id=OuterRef("facility_id")
    )
    rows = (
        Activity.objects.filter(
            facility_id__in=facility_ids,
            at__gte=min(c.issued_at for c in certificates),
            at__lte=max(changes[c.pk].at for c in certificates),
            verb__in=RELIED_VERBS,
            target__in=[c.number for c in certificates],
            actor__isnull=False,
        )
        .filter(Exists(member))
        .values("facility_id", "target")
        .annotate(first=Min("at"))
        .values_list("facility_id", "target", "first")
    )
    by_number = {c.number: c for c in certificates}
    relied: dict[int, set[int]] = {}
    for facility_id, number, first in rows:
        certificate = by_number[number]
        if first <= changes[certificate.pk].at:
            relied.setdefault(certificate.pk, set()).add(facility_id)
    return relied


def change_recipients(facility_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """Facility id -> ``(person id, e-mail)`` of its members who want certificate changes."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Membership.objects.filter(facility_id__in=list(facility_ids))
        .filter(_wants("certificate_changes"))
        .order_by("facility_id", "person_id")
        .values_list("facility_id", "person_id", "person__email")
    )
    for facility_id, person_id, email in rows:
        found[facility_id].append((person_id, email))
    return found


def already_told(certificate_ids: Iterable[int]) -> set[tuple[int, int]]:
    """``(certificate id, person id)`` pairs that already have their notice."""
    return set(
        CertificateNotice.objects.filter(certificate_id__in=list(certificate_ids)).values_list(
            "certificate_id", "person_id"
        )
    )


# --- the weekly digest ------------------------------------------------------------------


@dataclass
class Section:
    """One kind of news at one facility: how many, and the first few."""

    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FacilityNews:
    facility_id: int
    name: str = ""
    new: Section = field(default_factory=Section)
    void: Section = field(default_factory=Section)
    superseded: Section = field(default_factory=Section)
    members: Section = field(default_factory=Section)
    reconciliations: Section = field(default_factory=Section)

    @property
    def is_empty_but_members(self) -> bool:
        sections = (self.new, self.void, self.superseded, self.reconciliations)
        return not any(s.count for s in sections)

    @property
    def is_empty(self) -> bool:
        sections = (self.new, self.void, self.superseded, self.members, self.reconciliations)
        return not any(s.count for s in sections)


def _grouped(
    qs: Any, group: str, order: Sequence[Any], values: Sequence[str]
) -> dict[int, Section]:
    """``qs`` grouped by ``group``: each group's row count and its first ``EXAMPLES`` rows in
    ``order``. One query: window functions number the rows and count each group, and only
    the first rows of each group leave the database."""
    ranked = (
        qs.annotate(
            _group=F(group),
            _rank=Window(RowNumber(), partition_by=[F(group)], order_by=list(order)),
            _count=Window(Count("pk"), partition_by=[F(group)]),
        )
        .filter(_rank__lte=EXAMPLES)
        .values("_group", "_count", *values)
    )
    sections: dict[int, Section] = {}
    for row in ranked:
        section = sections.setdefault(row["_group"], Section(count=row["_count"]))
        section.examples.append({name: row[name] for name in values})
    return sections


def _counted(qs: Any, group: str, values: Sequence[str]) -> dict[int, Section]:
    """``qs`` grouped by ``group``: each group's row count and its newest row (highest id).

    For the kind with the most rows (new certificates: every one issued in the week) a
    hash aggregate, without the sort a window function needs; the newest rows are then read
    by primary key."""
    counts = {
        row["_group"]: (row["_count"], row["_newest"])
        for row in qs.annotate(_group=F(group))
        .values("_group")
        .annotate(_count=Count("pk"), _newest=Max("pk"))
        .values("_group", "_count", "_newest")
    }
    newest = {pk for _, pk in counts.values()}
    rows: dict[int, dict[str, Any]] = {}
    ordered = sorted(newest)
    for chunk in range(0, len(ordered), 500):  # SQLite's limit on query parameters
        for row in qs.model.objects.filter(pk__in=ordered[chunk : chunk + 500]).values(
            "pk", *values
        ):
            rows[row["pk"]] = {name: row[name] for name in values}
    return {
        group_id: Section(count=count, examples=[rows[pk]] if pk in rows else [])
        for group_id, (count, pk) in counts.items()
    }


def digest_recipients() -> dict[int, tuple[str, list[int]]]:
    """Person id -> (e-mail, facility ids) of everyone who wants the weekly digest."""
    people: dict[int, tuple[str, list[int]]] = {}
    rows = (
        Membership.objects.filter(_wants("weekly_digest"))
        .order_by("person_id", "facility__name", "facility_id")
        .values_list("person_id", "person__email", "facility_id")
    )
    for person_id, email, facility_id in rows:
        people.setdefault(person_id, (email, []))[1].append(facility_id)
    return people


def week_news(start: datetime, end: datetime) -> dict[int, FacilityNews]:
    """Facility id -> what happened there in ``[start, end)``: new, void and superseded
    certificates, new team members, reconciliations. Facilities with nothing are left out.

    One grouped query per kind for all facilities at once (five in all, plus the names and
    the newest new certificates by key)."""
    facility = "assignment__facility_id"
    certificate_values = ("number", "assignment__contractor_name", "assignment_id")
    kinds: dict[str, dict[int, Section]] = {
        # New: issued for an assignment that had no current certificate (a superseding one
        # is reported as the change it is).
        "new": _counted(
            Certificate.objects.filter(
                issued_at__gte=start, issued_at__lt=end, supersedes__isnull=True
            ),
            facility,
            certificate_values,
        ),
        "void": _grouped(
            Certificate.objects.filter(voided_at__gte=start, voided_at__lt=end),
            facility,
            [F("voided_at").desc(), F("id").desc()],
            certificate_values,
        ),
        "superseded": _grouped(
            Certificate.objects.filter(superseded_at__gte=start, superseded_at__lt=end),
            facility,
            [F("superseded_at").desc(), F("id").desc()],
            (*certificate_values, "superseded_by__number"),
        ),
        "members": _grouped(
            Membership.objects.filter(
                created_at__gte=start, created_at__lt=end, revoked_at__isnull=True
            ),
            "facility_id",
            [F("created_at").desc(), F("id").desc()],
            ("person__email", "person__name", "role"),
        ),
        "reconciliations": _grouped(
            Reconciliation.objects.filter(created_at__gte=start, created_at__lt=end),
            "facility_id",
            [F("created_at").desc(), F("id").desc()],
            ("id", "file_name", "created_by_label", "row_count"),
        ),
    }
    news: dict[int, FacilityNews] = {}
    for kind, sections in kinds.items():
        for facility_id, section in sections.items():
            setattr(news.setdefault(facility_id, FacilityNews(facility_id)), kind, section)
    names = dict(Facility.objects.filter(pk__in=list(news)).values_list("pk", "name"))
    for facility_id, item in news.items():
        item.name = names.get(facility_id, "")
    return news


def digest_period(now: datetime, weekday: int, hour: int) -> tuple[datetime, datetime]:
    """The week a digest sent at ``now`` covers: the seven days up to the latest scheduled
    moment (``weekday`` 0 = Monday, at ``hour``:00 UTC) not after ``now``."""
    moment = now.astimezone(UTC)
    end = moment.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(
        days=(moment.weekday() - weekday) % 7
    )
    if end > moment:
        end -= timedelta(days=7)
    return end - timedelta(days=7), end


def as_date(value: datetime) -> date:
    return value.astimezone(UTC).date()
