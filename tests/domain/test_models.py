"""The schema enforces the domain rules in the database itself, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.activity.models import Activity, AppendOnlyError
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.facilities.models import Facility, Membership
from tests import factories

pytestmark = pytest.mark.django_db


def test_email_is_unique_case_insensitively_in_the_database():
    Person.objects.create_user("Jo.Smith@Example.com")
    # bulk_create skips save(), so only the database constraint can refuse this.
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.bulk_create([Person(email="JO.SMITH@example.COM", password="!")])


def test_email_is_stored_normalised_and_found_by_any_case():
    person = Person.objects.create_user("  Jo.Smith@Example.COM ")
    assert person.email == "jo.smith@example.com"
    assert Person.objects.get_by_email("JO.smith@example.com") == person


def test_people_have_no_usable_password():
    person = Person.objects.create_user("a@example.com")
    assert not person.has_usable_password()
    person.set_password("hunter2")
    person.save()
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_end_date_before_effective_date_is_refused_by_the_database(facility):
    contractor = factories.contractor(facility.partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            partner=facility.partner,
            facility=facility,
            contractor=contractor,
            external_id="X1",
            effective_date=date(2026, 3, 2),
            end_date=date(2026, 3, 1),
            contractor_name="x",
            sort_name="x",
        )


def test_one_day_assignment_is_allowed(facility):
    a = factories.assignment(facility, effective=date(2026, 3, 1), end=date(2026, 3, 1))
    assert a.effective_date == a.end_date


def test_external_ids_are_unique_per_partner_only(partner):
    Facility.objects.create(partner=partner, external_id="F1", name="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.create(partner=partner, external_id="F1", name="Two")
    other = factories.partner()
    Facility.objects.create(partner=other, external_id="F1", name="Other partner's F1")


def test_assignment_external_id_unique_per_partner(facility):
    a = factories.assignment(facility)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            partner=facility.partner,
            facility=facility,
            contractor=a.contractor,
            external_id=a.external_id,
            effective_date=date(2026, 1, 1),
            end_date=date(2026, 1, 1),
            contractor_name="x",
            sort_name="x",
        )


def test_only_one_current_certificate_per_assignment(facility):
    a = factories.assignment(facility)
    current = a.current_certificate
    assert current is not None and current.status == Certificate.Status.ISSUED
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(assignment=a, number="CH-TEST-0001", check_code="X", snapshot={})


def test_creating_an_assignment_issues_its_certificate(facility):
    a = factories.assignment(facility, effective=date(2026, 3, 1), end=date(2026, 3, 14))
    cert = a.current_certificate
    assert cert is not None
    assert cert.snapshot["assignment"]["effective_date"] == "2026-03-01"
    assert cert.snapshot["assignment"]["end_date"] == "2026-03-14"
    assert cert.snapshot["holder"]["name"] == facility.name
    assert cert.snapshot["coverages"][0]["policy_number"].startswith("GL-")


def test_changing_dates_supersedes_and_keeps_history(facility):
    a = factories.assignment(facility, effective=date(2026, 3, 1), end=date(2026, 3, 7))
    first = a.current_certificate
    result = services.save_assignment(
        partner=facility.partner,
        external_id=a.external_id,
        facility=facility,
        contractor=a.contractor,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 14),
        description=a.description,
    )
    assert result.outcome == "updated"
    first.refresh_from_db()
    second = result.certificate
    assert first.status == Certificate.Status.SUPERSEDED
    assert first.superseded_at is not None
    assert first.superseded_by == second
    assert second.supersedes == first
    assert second.status == Certificate.Status.ISSUED
    assert first.snapshot["assignment"]["end_date"] == "2026-03-07"  # frozen
    assert Certificate.objects.filter(assignment=a).count() == 2


def test_sending_the_same_values_again_issues_nothing(facility):
    a = factories.assignment(facility)
    result = services.save_assignment(
        partner=facility.partner,
        external_id=a.external_id,
        facility=facility,
        contractor=a.contractor,
        effective_date=a.effective_date,
        end_date=a.end_date,
        description=a.description,
    )
    assert result.outcome == "unchanged"
    assert Certificate.objects.filter(assignment=a).count() == 1


def test_cancelling_voids_the_certificate(facility):
    a = factories.assignment(facility)
    cert = a.current_certificate
    services.cancel_assignment(a)
    cert.refresh_from_db()
    a.refresh_from_db()
    assert a.status == Assignment.Status.CANCELLED
    assert cert.status == Certificate.Status.VOID and cert.voided_at is not None
    assert a.current_certificate == cert


def test_active_membership_is_unique_but_revoked_ones_are_kept(facility):
    person = factories.member(facility)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=person, facility=facility)
    Membership.objects.filter(person=person).update(revoked_at=timezone.now())
    Membership.objects.create(person=person, facility=facility)
    assert Membership.objects.filter(person=person).count() == 2


def test_activity_is_append_only(facility):
    entry = Activity.objects.create(verb=Activity.Verb.VIEWED, actor_label="a@example.com")
    entry.target = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Activity.objects.filter(pk=entry.pk).update(target="x")
    with pytest.raises(AppendOnlyError):
        Activity.objects.all().delete()
