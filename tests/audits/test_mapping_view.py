"""The mapping and preview step: guessed columns, changing them, running, refusing, discarding."""

from datetime import date

import pytest
from django.urls import reverse

from compliance_hub.audits.models import PendingUpload, Reconciliation
from tests import factories
from tests.audits.helpers import csv_bytes, form_data, upload_file

pytestmark = pytest.mark.django_db

ROWS = [
    ["Payments March 2026"],
    ["Payee", "Shift date", "Paid on", "Amount", "Memo"],
    ["Doe, Jane", "03/05/2026", "03/31/2026", "$1,234.50", "x"],
    ["Jane Doe", "03/14/2026", "03/31/2026", "(12.00)", "y"],
]


@pytest.fixture
def uploaded(signed_in, facility):
    jane = factories.contractor(facility.partner, "Jane", "Doe")
    factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))
    response = upload_file(signed_in, facility, csv_bytes(ROWS))
    return response["Location"]


def test_the_guess_and_the_preview_are_shown(signed_in, uploaded):
    response = signed_in.get(uploaded)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form["name"].value() == "0"
    assert form["work_date"].value() == "1"
    assert form["payment_date"].value() == "2"
    assert form["amount"].value() == "3"
    assert '<option value="1" selected>B: Shift date</option>' in html
    assert "header in row 2" in html
    assert "Dates in “Shift date” are read as month/day/year (row 4 has “03/14/2026”)." in html
    parsed = response.context["parsed_rows"]
    assert [(r.line, r.name, r.start, str(r.amount)) for r in parsed] == [
        (3, "Doe, Jane", date(2026, 3, 5), "1234.50"),
        (4, "Jane Doe", date(2026, 3, 14), "-12.00"),
    ]
    # The raw rows, with spreadsheet letters and headers.
    assert "Memo" in html and ">E<br>" in html


def test_changing_the_mapping_re_renders_the_preview_without_javascript(signed_in, uploaded):
    first = signed_in.get(uploaded)
    response = signed_in.post(uploaded, {**form_data(first, amount=""), "action": "preview"})
    assert response.status_code == 200
    assert [r.amount for r in response.context["parsed_rows"]] == [None, None]
    assert PendingUpload.objects.count() == 1


def test_an_impossible_mapping_is_explained_next_to_the_field(signed_in, uploaded):
    first = signed_in.get(uploaded)
    response = signed_in.post(uploaded, {**form_data(first, amount="1"), "action": "run"})
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "This column is already used for “Work date”."
    ]
    assert Reconciliation.objects.count() == 0


def test_running_saves_the_reconciliation_and_forgets_the_upload(signed_in, facility, uploaded):
    first = signed_in.get(uploaded)
    response = signed_in.post(uploaded, {**form_data(first), "action": "run"})
    reconciliation = Reconciliation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:result", args=[facility.pk, reconciliation.pk])
    assert reconciliation.mapping == {
        "name": "Payee",
        "work_date": "Shift date",
        "payment_date": "Paid on",
        "amount": "Amount",
    }
    assert PendingUpload.objects.count() == 0
    page = signed_in.get(response["Location"])
    assert "Reconciled 2 payment rows from schedule.csv." in page.content.decode()


def test_unreadable_rows_need_an_explicit_choice(signed_in, facility):
    rows = [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"], ["John Roe", "31/31/2026"]]
    location = upload_file(signed_in, facility, csv_bytes(rows))["Location"]
    first = signed_in.get(location)
    assert "1 cannot be read" in first.content.decode()
    assert "Row 3: Work date: “31/31/2026” is not a real date." in first.content.decode()
    refused = signed_in.post(location, {**form_data(first), "action": "run"})
    assert refused.status_code == 400
    assert "1 row(s) cannot be read (listed below)." in refused.content.decode()
    assert 'name="include_unreadable"' in refused.content.decode()
    assert Reconciliation.objects.count() == 0
    done = signed_in.post(
        location, {**form_data(first), "include_unreadable": "on", "action": "run"}
    )
    assert done.status_code == 302
    assert Reconciliation.objects.get().totals["invalid"]["count"] == 1


def test_discarding_deletes_the_upload(signed_in, facility, uploaded):
    response = signed_in.post(uploaded, {"action": "discard"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:list", args=[facility.pk])
    assert PendingUpload.objects.count() == 0


def test_an_upload_is_only_its_uploaders(client, facility, uploaded):
    teammate = factories.member(facility)
    client.force_login(teammate)
    assert client.get(uploaded).status_code == 404
    assert client.post(uploaded, {"action": "discard"}).status_code == 404
    assert PendingUpload.objects.count() == 1


def test_the_page_loads_its_script_from_a_file_and_has_no_inline_styles(signed_in, uploaded):
    html = signed_in.get(uploaded).content.decode()
    assert '<script src="/static/audits/mapping.js" defer></script>' in html
    assert "<script>" not in html
    assert "style=" not in html
