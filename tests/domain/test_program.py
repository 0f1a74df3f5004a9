"""A certificate states the partner's insurance program. Without an insurer and a coverage line
in force there is nothing to state: no certificate is issued, the API says what is missing,
the console says so too, and nothing is half-written."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.certificates import issuance, services
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.demo.seed import seed
from compliance_hub.facilities.models import CoverageLine, Facility, Insurer, Partner, PartnerStaff
from compliance_hub.partner_api.keys import create_key
from tests import factories
from tests.partner_api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db

ITEM = {
    "facility": "F-1",
    "contractor": "C-1",
    "effective_date": "2026-03-01",
    "end_date": "2026-03-01",
    "description": "Nights",
}


def bare_partner(**kw) -> Partner:
    """A partner with a facility F-1 and a contractor C-1, and no insurance program."""
    i = factories.n()
    partner = Partner.objects.create(name=f"Bare {i}", slug=f"bare-{i}", **kw)
    factories.facility(partner, external_id="F-1")
    factories.contractor(partner, external_id="C-1")
    return partner


def add_line(partner: Partner, insurer: Insurer, *, active: bool = True) -> CoverageLine:
    return CoverageLine.objects.create(
        partner=partner,
        insurer=insurer,
        kind=CoverageLine.Kind.GENERAL_LIABILITY,
        policy_number="GL-1",
        limits=[["Each occurrence", 1_000_000]],
        active=active,
    )


def item(external_id: str) -> services.AssignmentItem:
    return services.AssignmentItem(external_id, "F-1", "C-1", date(2026, 3, 1), date(2026, 3, 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    insurers=st.integers(0, 2),
    lines=st.lists(st.tuples(st.booleans(), st.booleans()), max_size=3),  # (active, own insurer)
    bulk=st.booleans(),
)
def test_certificates_are_issued_only_under_a_complete_program(insurers, lines, bulk):
    partner = bare_partner()
    own = [
        Insurer.objects.create(partner=partner, letter="ABC"[i], name=f"Insurer {i}")
        for i in range(insurers)
    ]
    stranger = factories.partner().insurers.get()
    for active, mine in lines:
        add_line(partner, own[0] if mine and own else stranger, active=active)
    complete = bool(own) and any(active and mine for active, mine in lines)

    def issue():
        if bulk:
            return services.upsert_assignments(partner, [item("A-1"), item("A-2")])
        return [services.upsert_assignment(partner, item("A-1"))]

    if complete:
        assert all(r.certificate.status == Certificate.Status.ISSUED for r in issue())
        assert issuance.program_gaps(partner) == []
    else:
        with pytest.raises(issuance.ProgramIncomplete) as refused:
            issue()
        assert refused.value.missing == issuance.program_gaps(partner) != []
        assert ("insurer" in refused.value.missing) == (not own)
        assert not Assignment.objects.filter(partner=partner).exists()
        assert not Certificate.objects.filter(assignment__partner=partner).exists()


def test_the_api_says_what_is_missing_and_writes_nothing():
    partner = bare_partner()
    _, raw = create_key(partner, name="t")
    api = Api(raw)

    single = assert_problem(api.put("/assignments/A-1", ITEM), 422, field="program")
    bulk = api.post("/assignments/bulk", {"items": [{**ITEM, "external_id": "A-2"}]})
    assert assert_problem(bulk, 422, field="program") == single
    assert single["type"] == "urn:compliance-hub:problem:program-incomplete"
    assert "no insurer and no coverage line in force" in single["detail"]
    assert [e["message"] for e in single["errors"]] == [
        "Missing: insurer.",
        "Missing: coverage line in force.",
    ]
    assert not Assignment.objects.filter(partner=partner).exists()

    add_line(partner, Insurer.objects.create(partner=partner, letter="A", name="Granite"))
    assert api.put("/assignments/A-1", ITEM).status_code == 201


def test_a_program_whose_lines_all_lapsed_issues_nothing_new(facility):
    assignment = factories.assignment(facility)
    CoverageLine.objects.filter(partner=facility.partner).update(active=False)
    with pytest.raises(issuance.ProgramIncomplete, match="no coverage line in force"):
        services.save_assignment(
            partner=facility.partner,
            external_id=assignment.external_id,
            facility=facility,
            contractor=assignment.contractor,
            effective_date=date(2027, 1, 1),
            end_date=date(2027, 1, 2),
        )
    stored = Assignment.objects.get(pk=assignment.pk)
    assert stored.effective_date == assignment.effective_date
    assert stored.current_certificate.status == Certificate.Status.ISSUED
    # Cancelling issues nothing, so it still works.
    _, changed = services.cancel_assignment(stored)
    assert changed


def test_the_console_says_what_is_missing():
    partner = bare_partner(producer_name="Harbor & Vale")
    complete = factories.partner(name="Complete Staffing")
    person = factories.person("ops@bare.example")
    for p in (partner, complete):
        PartnerStaff.objects.create(partner=p, person=person)
    client = Client()
    client.force_login(person)

    html = client.get("/partner/").content.decode()

    assert f"{partner.name} cannot issue certificates yet" in html
    assert "no insurer and no coverage line in force" in html
    assert "Complete Staffing cannot" not in html


def test_factories_and_the_demo_build_complete_programs():
    assert issuance.program_gaps(factories.partner()) == []
    seed(n_contractors=5, scale=0.001)
    demo = Partner.objects.get(slug="brightside")
    assert issuance.program_gaps(demo) == []
    assert Facility.objects.filter(partner=demo).exists()


def test_a_single_upsert_of_an_unknown_facility_names_the_field_before_the_program():
    partner = bare_partner()
    bad = services.AssignmentItem("A-1", "F-9", "C-1", date(2026, 3, 1), date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.upsert_assignment(partner, bad)
    assert list(refused.value.message_dict) == ["facility"]
