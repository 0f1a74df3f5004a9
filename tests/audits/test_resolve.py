"""Resolving unknown and ambiguous rows in the app: suggestions from the facility's own
contractors, a decision per row (who and when), applied when the reconciliation re-runs, and
listed in the report as a manual decision."""

import csv
import io
import re
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from compliance_hub.audits.identity import Person, Suggester
from compliance_hub.audits.models import Reconciliation, RowDecision
from tests import factories
from tests.audits.helpers import by_line, run_schedule

pytestmark = pytest.mark.django_db


def _people(*names):
    return [
        Person(i, first, last, email, f"C-{i}")
        for i, (first, last, email) in enumerate(names, start=1)
    ]


PEOPLE = _people(
    ("Lisa", "Turner", "lisa.t@example.com"),
    ("Lisa", "Tanner", ""),
    ("Mark", "Okafor", "mokafor@example.com"),
    ("Anne-Marie", "Dubois", ""),
)


def _suggested(name, email=""):
    return [(s.person.label, s.reason) for s in Suggester(PEOPLE).suggest(name, email)]


def test_a_misspelt_name_suggests_the_similar_contractor_first():
    assert _suggested("Lisa Tuner")[0] == ("Lisa Turner", "similar name")


def test_swapped_and_misspelt_first_and_last_names_are_suggested():
    assert _suggested("Turnr Lisa")[0] == ("Lisa Turner", "first and last name swapped")


def test_an_initial_with_the_family_name_is_suggested():
    assert _suggested("L. Turner")[0] == ("Lisa Turner", "initials")
    assert _suggested("Okafor, M")[0] == ("Mark Okafor", "initials")


def test_the_e_mail_address_suggests_its_owner_even_when_the_name_says_little():
    assert ("Mark Okafor", "e-mail address") in _suggested("M.", "m.okafor@gmail.com")
    assert _suggested("Someone", "lisa.t@example.com")[0] == ("Lisa Turner", "same e-mail address")


def test_nothing_alike_suggests_nobody():
    assert _suggested("Bartholomew Quince") == []


@pytest.fixture
def people(facility):
    lisa = factories.contractor(facility.partner, "Lisa", "Turner", email="lisa@example.com")
    factories.assignment(facility, lisa, date(2026, 3, 1), date(2026, 3, 31))
    # Same partner, another facility only: never suggested here, and refused if posted.
    elsewhere = factories.facility(facility.partner)
    lise = factories.contractor(facility.partner, "Lise", "Turner")
    factories.assignment(elsewhere, lise, date(2026, 3, 1), date(2026, 3, 31))
    return lisa, lise


@pytest.fixture
def reconciliation(facility, person, people):
    rows = [
        ["Contractor", "Work date", "Amount"],
        ["Lisa Tuner", "2026-03-05", "100.00"],
        ["Office Depot", "2026-03-06", "40.00"],
        ["Lisa Turner", "2026-03-07", "200.00"],
    ]
    return run_schedule(facility, person, rows)


def result_url(facility, reconciliation):
    return reverse("audits:result", args=[facility.pk, reconciliation.pk])


def decide(client, facility, reconciliation, line, choice):
    return client.post(
        reverse("audits:decide", args=[facility.pk, reconciliation.pk, line]), {"choice": choice}
    )


def test_unknown_rows_offer_the_facility_contractor_and_not_someone_elsewhere(
    signed_in, facility, reconciliation, people
):
    lisa, lise = people
    assert by_line(reconciliation)[2].status == "unknown"
    page = signed_in.get(result_url(facility, reconciliation)).content.decode()
    row = page[page.index('id="row-2"') : page.index('id="row-3"')]
    assert "Did you mean Lisa Turner?" in row
    assert f'value="{lisa.pk}"' in row
    assert "Lise Turner" not in page and f'value="{lise.pk}"' not in row
    assert "Not a contractor of this facility" in row


def test_a_decision_is_saved_with_who_and_when_then_applied_on_re_run(
    signed_in, facility, person, reconciliation, people
):
    lisa, _lise = people
    response = decide(signed_in, facility, reconciliation, 2, str(lisa.pk))
    assert response.status_code == 302
    assert response["Location"].endswith("#row-2")
    decision = RowDecision.objects.get()
    assert (decision.contractor, decision.decided_by, decision.written) == (
        lisa,
        person,
        "Lisa Tuner",
    )
    assert decision.decided_at is not None
    page = signed_in.get(response["Location"]).content.decode()
    assert "Re-run the reconciliation to apply it." in page
    assert decide(signed_in, facility, reconciliation, 3, "none").status_code == 302
    assert RowDecision.objects.get(written="Office Depot").contractor is None

    rerun = signed_in.post(reverse("audits:rerun", args=[facility.pk, reconciliation.pk]))
    fresh = Reconciliation.objects.get(rerun_of=reconciliation)
    assert rerun["Location"] == result_url(facility, fresh)
    rows = by_line(fresh)
    assert rows[2].status == "covered"
    assert rows[2].contractor_id == lisa.pk
    assert rows[2].matched_by == "manual decision"
    assert re.fullmatch(
        rf"Lisa Turner, chosen by {re.escape(person.email)} on \d{{4}}-\d\d-\d\d", rows[2].decision
    )
    assert rows[3].status == "excluded"
    assert rows[4].decision == ""  # matched by name, as before
    assert fresh.totals["manual"] == {"count": 2, "amount": "140.00"}
    assert fresh.totals["excluded"]["count"] == 1
    assert fresh.attention_count == 0
    reconciliation.refresh_from_db()
    assert reconciliation.totals["unknown"]["count"] == 2  # the earlier run is kept as it was
    page = signed_in.get(result_url(facility, fresh)).content.decode()
    assert "Of these, by manual decision" in page
    assert "Not a contractor here" in page


def test_decisions_apply_to_a_new_upload_of_the_facility_too(
    facility, person, reconciliation, people
):
    from compliance_hub.audits import services

    services.decide(reconciliation, 2, str(people[0].pk), person=person)
    again = run_schedule(
        facility, person, [["Contractor", "Work date"], ["LISA  TUNER", "2026-03-09"]]
    )
    assert by_line(again)[2].status == "covered"


def test_another_facilitys_contractor_or_a_covered_row_is_refused(
    signed_in, facility, reconciliation, people
):
    _lisa, lise = people
    response = decide(signed_in, facility, reconciliation, 2, str(lise.pk))
    assert response.status_code == 302
    page = signed_in.get(response["Location"]).content.decode()
    assert "Choose one of the contractors offered" in page
    decide(signed_in, facility, reconciliation, 4, "none")  # covered: nothing to decide
    assert (
        "Row 4 needs no decision."
        in signed_in.get(result_url(facility, reconciliation)).content.decode()
    )
    decide(signed_in, facility, reconciliation, 2, "not-a-number")
    decide(signed_in, facility, reconciliation, 99, "none")
    assert decide(signed_in, facility, reconciliation, 2, "").status_code == 302
    assert not RowDecision.objects.exists()


def test_the_report_lists_manual_decisions(signed_in, facility, person, reconciliation, people):
    from compliance_hub.audits import services

    services.decide(reconciliation, 2, str(people[0].pk), person=person)
    fresh = services.rerun(reconciliation, person=person)
    response = signed_in.get(reverse("audits:packet", args=[facility.pk, fresh.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(
        csv.DictReader(io.StringIO(archive.read("reconciliation-report.csv").decode("utf-8-sig")))
    )
    assert rows[0]["Manual decision"].startswith("Lisa Turner, chosen by")
    assert rows[0]["Matched by"] == "manual decision"
    assert rows[1]["Manual decision"] == ""
    readme = archive.read("README.txt").decode()
    assert re.search(r"of which manual decisions\s+1\s+100\.00", readme)
