"""One small world with every kind of principal the hub knows, for the security tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from compliance_hub.accounts.models import Person
from compliance_hub.auditors import services as auditor_services
from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.audits import services as audit_services
from compliance_hub.audits.models import PendingUpload, Reconciliation
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import (
    Facility,
    Invitation,
    Membership,
    Partner,
    PartnerStaff,
)
from compliance_hub.partner_api.keys import create_key
from compliance_hub.partner_api.models import ApiKey
from compliance_hub.webhooks import services as webhook_services
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.audits.helpers import csv_bytes, run_schedule

ROWS: list[list[object]] = [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    partner: Partner
    facility: Facility  # the facility every case is about
    foreign: Facility  # another partner's facility
    primary: Person
    member: Person
    victim: Membership  # a second member of ``facility``, target of removals
    outsider: Person  # primary contact of ``foreign`` only
    staff: Person  # partner staff of ``partner``
    other_staff: Person
    operator: Person
    key: ApiKey
    raw_key: str
    other_raw_key: str
    assignment: Assignment
    certificate: Certificate
    invitation: Invitation
    reconciliation: Reconciliation
    upload: PendingUpload  # the member's own pending upload
    auditor: Person  # read-only auditor of ``facility``: its audit period, ``reconciliation``
    grant: AuditorGrant
    webhook: WebhookEndpoint  # the partner's endpoint; ``webhook_delivery`` one of its deliveries
    webhook_delivery: WebhookDelivery
    clients: dict[str, Client] = field(default_factory=dict)
    cookies: dict[str, Any] = field(default_factory=dict)


PRINCIPALS = (
    "anonymous",
    "outsider",  # member (primary contact) of another facility
    "member",
    "primary",
    "staff",  # the right partner's staff, signed in
    "other_staff",
    "operator",
    "other_key",  # another partner's API key
    "key",  # the right partner's API key
    "auditor",  # an auditor of ``facility`` (grant: the assignment's period, the reconciliation)
)


def build_world() -> World:
    partner = factories.partner(name="Acme Staffing")
    facility = factories.facility(partner, name="St Mary Regional", external_id="FAC-MAIN")
    foreign_partner = factories.partner(name="Other Staffing")
    foreign = factories.facility(foreign_partner, name="Elsewhere", external_id="FAC-OTHER")
    primary = factories.member(facility, factories.person("pat@example.com"), "primary")
    member = factories.member(facility, factories.person("mo@example.com"))
    victim_person = factories.member(facility, factories.person("vic@example.com"))
    victim = Membership.objects.get(person=victim_person, facility=facility)
    outsider = factories.member(foreign, factories.person("otto@example.com"), "primary")
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=staff)
    other_staff = factories.person("ops@other.example")
    PartnerStaff.objects.create(partner=foreign_partner, person=other_staff)
    operator = factories.person("root@hub.example", is_staff=True, is_superuser=True)
    key, raw_key = create_key(partner, name="main")
    _, other_raw_key = create_key(foreign_partner, name="other")
    webhook, _ = webhook_services.create_endpoint(
        partner, url="http://127.0.0.1:9/hook", events=["certificate.issued"]
    )
    jane = factories.contractor(partner, "Jane", "Doe", external_id="C-JANE")
    assignment = factories.assignment(
        facility, jane, date(2026, 3, 1), date(2026, 3, 10), external_id="A-1"
    )
    assignment.refresh_from_db()
    certificate = assignment.current_certificate
    assert certificate is not None
    invitation = invitations.invite(
        email="new@example.com", facilities=[facility], role="member", by=invitations.By(primary)
    )
    reconciliation = run_schedule(facility, member, ROWS)
    upload = audit_services.keep_upload(facility, member, "s.csv", csv_bytes(ROWS))
    grant = auditor_services.grant(
        facility,
        email="ava@audit.example",
        firm="Granite Audit",
        period_start=date(2025, 7, 1),
        period_end=date(2026, 6, 30),
        reconciliation_ids=[reconciliation.pk],
        by=primary,
    )
    w = World(
        partner=partner,
        facility=facility,
        foreign=foreign,
        primary=primary,
        member=member,
        victim=victim,
        outsider=outsider,
        staff=staff,
        other_staff=other_staff,
        operator=operator,
        key=key,
        raw_key=raw_key,
        other_raw_key=other_raw_key,
        assignment=assignment,
        certificate=certificate,
        invitation=invitation,
        reconciliation=reconciliation,
        upload=upload,
        auditor=grant.person,
        grant=grant,
        webhook=webhook,
        webhook_delivery=WebhookDelivery.objects.filter(endpoint=webhook).earliest("id"),
    )
    for name in PRINCIPALS:
        person = getattr(w, name, None) if name not in ("anonymous", "key", "other_key") else None
        headers = {}
        if name == "key":
            headers = {"Authorization": f"Bearer {raw_key}"}
        elif name == "other_key":
            headers = {"Authorization": f"Bearer {other_raw_key}"}
        client = Client(headers=headers)
        if person is not None:
            client.force_login(person)
        w.clients[name] = client
        w.cookies[name] = copy.deepcopy(client.cookies)
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for a whole module, rolled back at its end: for tests that only read it, or
    that roll back what they write (a savepoint per request)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
