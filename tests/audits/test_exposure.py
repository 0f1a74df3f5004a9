"""The exposure estimate: payments not covered (or their uncovered days) treated as payroll
at a share (90% by default) times the class rate per $100, per row and in total, in Decimal."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from compliance_hub.audits.exposure import DEFAULT_SHARE, Inputs, premium, total
from tests import factories
from tests.audits.helpers import by_line, run_schedule

pytestmark = pytest.mark.django_db


def test_the_formula_in_decimal_rounded_to_cents():
    inputs = Inputs(DEFAULT_SHARE, Decimal("3.25"))
    # 1,000.00 * 90% * 3.25 / 100 = 29.25
    assert premium(Decimal("1000.00"), inputs) == Decimal("29.25")
    # 333.33 * 90% * 3.25 / 100 = 9.7499… -> 9.75
    assert premium(Decimal("333.33"), inputs) == Decimal("9.75")
    assert premium(None, inputs) is None
    assert premium(Decimal("10"), Inputs(DEFAULT_SHARE, None)) is None
    assert total([Decimal("1000.00"), None, Decimal("333.33")], inputs) == Decimal("39.00")
    described = inputs.describe()
    assert "90% of payments treated as payroll" in described
    assert "class rate 3.25 per $100" in described


@pytest.fixture
def reconciliation(facility, person):
    jane = factories.contractor(facility.partner, "Jane", "Doe")
    factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))
    rows = [
        ["Contractor", "Service from", "Service to", "Amount"],
        ["Jane Doe", "2026-03-02", "2026-03-03", "500.00"],  # covered
        ["Jane Doe", "2026-03-09", "2026-03-12", "400.00"],  # 2 of 4 days not covered
        ["Jane Doe", "2026-04-01", "2026-04-01", "1000.00"],  # not covered
        ["Jane Doe", "2026-04-01", "2026-04-01", "1000.00"],  # duplicate: counted once
        ["Jane Doe", "2026-04-02", "2026-04-02", "EUR 300"],  # not dollars: not estimated
        ["Nobody Known", "2026-04-02", "2026-04-02", "70.00"],  # unknown: resolve first
    ]
    return run_schedule(facility, person, rows)


def test_each_row_carries_its_uncovered_dollar_amount(reconciliation):
    rows = by_line(reconciliation)
    assert rows[2].uncovered_amount is None
    assert rows[3].status == "partial" and rows[3].uncovered_amount == Decimal("200.00")
    assert rows[4].uncovered_amount == Decimal("1000.00")
    assert rows[5].uncovered_amount is None  # duplicate
    assert rows[6].status == "not_covered" and rows[6].uncovered_amount is None
    assert rows[7].uncovered_amount is None
    assert reconciliation.totals["uncovered"] == "1200.00"


def test_the_page_shows_the_estimate_with_its_inputs_and_per_row(
    signed_in, facility, person, reconciliation
):
    url = reverse("audits:result", args=[facility.pk, reconciliation.pk])
    text = signed_in.get(url).content.decode()
    assert "Estimate only, not a premium bill" in text
    assert "auditors commonly treat a share of payments to uninsured subcontractors" in text
    assert "enter a class rate to estimate" in text
    response = signed_in.post(
        reverse("audits:estimate", args=[facility.pk, reconciliation.pk]),
        {"payroll_share": "90", "class_rate": "3.25"},
    )
    assert response.status_code == 302
    reconciliation.refresh_from_db()
    assert reconciliation.class_rate == Decimal("3.25")
    assert reconciliation.estimate_set_by_label == person.email
    text = signed_in.get(url).content.decode()
    # 1,200.00 * 90% * 3.25% = 35.10; per row 5.85 (partial) and 29.25
    assert "35.10" in text and "5.85" in text and "29.25" in text
    assert "Estimated premium" in text


@pytest.mark.parametrize(
    ("share", "rate", "field"),
    [
        ("0", "3", "payroll_share"),
        ("101", "3", "payroll_share"),
        ("90", "-1", "class_rate"),
        ("90", "abc", "class_rate"),
        ("90", "", "class_rate"),
    ],
)
def test_bad_inputs_show_field_errors(signed_in, facility, reconciliation, share, rate, field):
    response = signed_in.post(
        reverse("audits:estimate", args=[facility.pk, reconciliation.pk]),
        {"payroll_share": share, "class_rate": rate},
    )
    assert response.status_code == 400
    assert response.context["estimate_form"].errors[field]
    reconciliation.refresh_from_db()
    assert reconciliation.class_rate is None


def test_the_reports_carry_the_estimate(signed_in, facility, person, reconciliation):
    from compliance_hub.audits import services

    services.set_estimate(
        reconciliation, payroll_share=Decimal("80"), class_rate=Decimal("2.5"), person=person
    )
    response = signed_in.get(reverse("audits:packet", args=[facility.pk, reconciliation.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(
        csv.DictReader(io.StringIO(archive.read("reconciliation-report.csv").decode("utf-8-sig")))
    )
    by = {int(r["Row"]): r for r in rows}
    assert by[3]["Amount not covered (USD)"] == "200.00"
    assert by[3]["Estimated premium (USD, estimate)"] == "4.00"  # 200 * 80% * 2.5%
    assert by[4]["Estimated premium (USD, estimate)"] == "20.00"
    assert by[2]["Estimated premium (USD, estimate)"] == ""
    readme = archive.read("README.txt").decode()
    assert "Share treated as payroll: 80%" in readme
    assert "Class rate per $100 of payroll: 2.5" in readme
    assert "24.00" in readme
    book = load_workbook(io.BytesIO(archive.read("reconciliation-report.xlsx")))
    summary = [r for r in book["Summary"].iter_rows(values_only=True)]
    assert any(r[0] and r[0].startswith("Estimated premium") and r[1] == "24.00" for r in summary)
