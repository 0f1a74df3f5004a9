"""A partner sets its program's policy terms, basis, workers' compensation details and
authorized representative (API and console); certificates issued afterwards (coi-v2) state
them, certificates issued before do not change."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import documents, issuance
from compliance_hub.certificates.models import Certificate
from compliance_hub.facilities.models import CoverageLine, Insurer, PartnerStaff
from tests import factories
from tests.certificates.conftest import media  # noqa: F401  (fixture)
from tests.certificates.samples import flat, text_of
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db

WC_BODY = {
    "policy_effective": "2026-02-15",
    "policy_expiry": "2027-02-15",
    "workers_compensation": {
        "limits": "per_statute",
        "proprietor_excluded": False,
        "el_each_accident": 1_000_000,
        "el_disease_each_employee": 500_000,
        "el_disease_policy_limit": 2_000_000,
    },
}
GL_BODY = {
    "policy_effective": "2026-01-01",
    "policy_expiry": "2027-01-01",
    "basis": "occurrence",
    "aggregate_applies_per": "project",
}


@pytest.fixture
def general(partner):
    return CoverageLine.objects.get(partner=partner)


@pytest.fixture
def wc(partner):
    insurer = Insurer.objects.create(partner=partner, letter="C", name="Prairie Workers' Mutual")
    return CoverageLine.objects.create(
        partner=partner,
        insurer=insurer,
        kind=CoverageLine.Kind.WORKERS_COMPENSATION,
        policy_number="WC-55-1029",
        subrogation_waived=True,
        position=5,
    )


# --- API ---------------------------------------------------------------------------------


def test_program_lists_lines_and_representative(api, general, wc):
    body = api.get("/program").json()
    assert body["representative"] == {"name": "", "title": ""}
    kinds = [(line["id"], line["kind"]) for line in body["coverage_lines"]]
    assert kinds == [(general.pk, "general_liability"), (wc.pk, "workers_compensation")]
    gl, comp = body["coverage_lines"]
    assert gl["workers_compensation"] is None and gl["policy_effective"] is None
    assert comp["workers_compensation"]["el_each_accident"] is None


def test_set_terms_of_a_general_liability_line(api, general):
    response = api.put(f"/program/coverage-lines/{general.pk}", GL_BODY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["policy_effective"] == "2026-01-01" and body["basis"] == "occurrence"
    general.refresh_from_db()
    assert general.policy_expiry == date(2027, 1, 1)
    assert general.aggregate_applies_per == "project"
    change = Activity.objects.get(verb=Activity.Verb.PROGRAM_CHANGED)
    assert "API key" in change.actor_label and change.detail["basis"] == "occurrence"
    # the same again changes nothing and records nothing
    assert api.put(f"/program/coverage-lines/{general.pk}", GL_BODY).status_code == 200
    assert Activity.objects.filter(verb=Activity.Verb.PROGRAM_CHANGED).count() == 1
    # a field left out is cleared
    assert api.put(f"/program/coverage-lines/{general.pk}", {}).json()["basis"] is None


def test_set_workers_compensation_details(api, wc):
    body = api.put(f"/program/coverage-lines/{wc.pk}", WC_BODY).json()
    assert body["workers_compensation"] == WC_BODY["workers_compensation"]
    wc.refresh_from_db()
    assert wc.wc_limits == "per_statute" and wc.proprietor_excluded is False
    assert wc.el_disease_policy_limit == 2_000_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"policy_effective": "2026-02-01", "policy_expiry": "2026-01-31"}, "policy_expiry"),
        ({"policy_effective": "2026-02-30"}, "policy_effective"),
        ({"policy_effective": "01/02/2026"}, "policy_effective"),
        ({"basis": "sometimes"}, "basis"),
        ({"aggregate_applies_per": "planet"}, "aggregate_applies_per"),
        ({"workers_compensation": {"limits": "per_statute"}}, "workers_compensation.limits"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_terms_are_refused_with_problem_json(api, general, body, field):
    assert_problem(api.put(f"/program/coverage-lines/{general.pk}", body), 422, field)
    general.refresh_from_db()
    assert general.policy_effective is None and general.basis == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"basis": "occurrence"}, "basis"),
        (
            {"workers_compensation": {"el_each_accident": -1}},
            "workers_compensation.el_each_accident",
        ),
        (
            {"workers_compensation": {"el_each_accident": 10**13}},
            "workers_compensation.el_each_accident",
        ),
        (
            {"workers_compensation": {"el_each_accident": "1000"}},
            "workers_compensation.el_each_accident",
        ),
        (
            {"workers_compensation": {"proprietor_excluded": "no"}},
            "workers_compensation.proprietor_excluded",
        ),
    ],
)
def test_bad_workers_compensation_details_are_refused(api, wc, body, field):
    assert_problem(api.put(f"/program/coverage-lines/{wc.pk}", body), 422, field)


def test_another_partners_line_is_not_found(other_api, general):
    assert_problem(other_api.put(f"/program/coverage-lines/{general.pk}", GL_BODY), 404)
    general.refresh_from_db()
    assert general.policy_effective is None


def test_set_representative_and_bidi_is_refused(api, partner):
    body = {"name": "Zoë Ångström-Ruiz", "title": "Senior Account Executive"}
    assert api.put("/program/representative", body).json() == body
    partner.refresh_from_db()
    assert partner.representative_name == "Zoë Ångström-Ruiz"
    for field in ("name", "title"):
        bad = {**body, field: "Ann\u202eLee"}
        assert_problem(api.put("/program/representative", bad), 422, field)
    partner.refresh_from_db()
    assert partner.representative_title == "Senior Account Executive"
    assert_problem(api.put("/program/representative", {"name": "x" * 201}), 422, "name")


def test_the_openapi_schema_describes_the_program(api):
    schema = api.get("/openapi.json").json()
    assert "/api/v1/program/coverage-lines/{line_id}" in schema["paths"]
    assert "CoverageTermsIn" in schema["components"]["schemas"]


# --- what certificates state --------------------------------------------------------------


@pytest.mark.usefixtures("media")
def test_certificates_issued_afterwards_state_the_details_earlier_ones_do_not(
    api, partner, facility, general, wc
):
    before = factories.assignment(facility)
    before.refresh_from_db()
    first = before.current_certificate
    api.put(f"/program/coverage-lines/{general.pk}", GL_BODY)
    api.put(f"/program/coverage-lines/{wc.pk}", WC_BODY)
    api.put("/program/representative", {"name": "Zoë Ångström-Ruiz", "title": "Broker"})
    facility.name = "Clínica São José"
    facility.save()
    facility.partner.refresh_from_db()  # as each API request reads it afresh

    after = factories.assignment(facility)
    after.refresh_from_db()
    certificate = after.current_certificate
    assert certificate.template_version == issuance.TEMPLATE_VERSION == "coi-v2"
    snap = certificate.snapshot
    assert snap["representative"] == {"name": "Zoë Ångström-Ruiz", "title": "Broker"}
    gl, comp = snap["coverages"]
    assert gl["policy_effective"] == "2026-01-01" and gl["basis"] == "Occurrence"
    assert gl["aggregate_applies_per"] == "Project" and "workers_compensation" not in gl
    assert comp["workers_compensation"]["limits"] == "Per statute"

    text = flat(text_of(documents.read_pdf(certificate)))
    assert f"{gl['policy_number']} Term 01/01/2026 to 01/01/2027" in text
    assert "Occurrence basis General aggregate applies per project" in text
    assert "WORKERS' COMPENSATION AND EMPLOYERS' LIABILITY" in text
    assert "E.L. disease, policy limit $2,000,000" in text
    assert "/s/ Zoë Ångström-Ruiz" in text
    assert (
        "Waiver of subrogation: the insurer waives its right of subrogation in favour of "
        "Clínica São José" in text
    )
    assert "covered as a participant under the program policies of" in text

    old = Certificate.objects.get(pk=first.pk)
    assert "representative" not in old.snapshot or old.snapshot["representative"]["name"] == ""
    assert "/s/" not in flat(text_of(documents.read_pdf(old)))


# --- console -----------------------------------------------------------------------------


@pytest.fixture
def console(partner):
    person = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=person)
    client = Client()
    client.force_login(person)
    return client


def test_console_lists_the_program_and_edits_a_line(console, general, wc):
    page = console.get("/partner/program/").content.decode()
    assert general.policy_number in page and "WC-55-1029" in page
    form = console.get(f"/partner/program/lines/{wc.pk}/").content.decode()
    assert "E.L. each accident" in form and "occurrence or claims-made" not in form.lower()
    posted = console.post(
        f"/partner/program/lines/{wc.pk}/save/",
        {
            "policy_effective": "2026-02-15",
            "policy_expiry": "2027-02-15",
            "wc_limits": "other",
            "proprietor_excluded": "true",
            "el_each_accident": "1000000",
            "el_disease_each_employee": "",
            "el_disease_policy_limit": "2000000",
        },
    )
    assert posted.status_code == 302 and posted["Location"] == "/partner/program/"
    wc.refresh_from_db()
    assert wc.wc_limits == "other" and wc.proprietor_excluded is True
    assert wc.el_disease_each_employee is None and wc.el_each_accident == 1_000_000
    change = Activity.objects.get(verb=Activity.Verb.PROGRAM_CHANGED)
    assert "ops@acme.example" in change.actor_label and change.partner_id == wc.partner_id
    page = console.get("/partner/program/").content.decode()
    assert "02/15/2026 \u2013 02/15/2027" in page and "proprietor excluded: Y" in page


def test_console_shows_field_errors_and_saves_nothing(console, general):
    response = console.post(
        f"/partner/program/lines/{general.pk}/save/",
        {"policy_effective": "2026-05-01", "policy_expiry": "2026-04-01", "basis": "occurrence"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "expires on or after its effective date" in page
    assert 'id="id_policy_expiry_error"' in page
    general.refresh_from_db()
    assert general.policy_effective is None and general.basis == ""


def test_console_sets_the_representative_and_refuses_bidi(console, partner):
    response = console.post(
        f"/partner/program/{partner.pk}/representative/",
        {"representative_name": "Ann\u202eLee", "representative_title": "Broker"},
    )
    assert response.status_code == 400
    partner.refresh_from_db()
    assert partner.representative_name == ""
    response = console.post(
        f"/partner/program/{partner.pk}/representative/",
        {"representative_name": "Łukasz Nowak", "representative_title": "Broker"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.representative_name == "Łukasz Nowak"
    assert "Łukasz Nowak" in console.get("/partner/program/").content.decode()


def test_console_line_of_another_partner_is_not_found(console):
    other = factories.partner()
    line = CoverageLine.objects.get(partner=other)
    assert console.get(f"/partner/program/lines/{line.pk}/").status_code == 404
    assert console.post(f"/partner/program/lines/{line.pk}/save/", {}).status_code == 404
    assert console.post(f"/partner/program/{other.pk}/representative/", {}).status_code == 404
