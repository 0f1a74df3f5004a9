"""The result page: totals, filters, pagination, certificate numbers and coverage timelines."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests import factories
from tests.audits.helpers import run_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def reconciliation(facility, person):
    zoe = factories.contractor(facility.partner, "Zoë", "Adams")
    bob = factories.contractor(facility.partner, "Bob", "Stone")
    factories.assignment(facility, zoe, date(2026, 3, 1), date(2026, 3, 10))
    factories.assignment(facility, bob, date(2026, 3, 1), date(2026, 3, 31))
    rows = [
        ["Contractor", "Work date", "Amount"],
        ["Zoe Adams", "2026-03-05", "100"],
        ["Zoe Adams", "2026-03-12", "50"],
        ["Bob Stone", "2026-03-12", "70"],
        ["Who Ever", "2026-03-12", "1"],
    ]
    return run_schedule(facility, person, rows)


def url(facility, reconciliation, **params):
    base = reverse("audits:result", args=[facility.pk, reconciliation.pk])
    if params:
        from urllib.parse import urlencode

        base += "?" + urlencode(params)
    return base


def test_totals_by_status_with_amounts(signed_in, facility, reconciliation):
    response = signed_in.get(url(facility, reconciliation))
    assert response.status_code == 200
    totals = {t["status"]: (t["count"], t["amount"]) for t in response.context["totals"]}
    assert totals["covered"] == (2, "170.00")
    assert totals["not_covered"] == (1, "50.00")
    assert totals["unknown"] == (1, "1.00")
    html = response.content.decode()
    cell = r'<td class="num"[^>]*>'
    assert re.search(rf"All payments</th>{cell}4</td>{cell}221.00</td>", html)


def test_filter_by_status(signed_in, facility, reconciliation):
    response = signed_in.get(url(facility, reconciliation, status="not_covered"))
    assert [r.line for r in response.context["rows"]] == [3]
    assert "Nearest cover before: until 2026-03-10" in response.content.decode()


def test_filter_by_contractor_name_ignores_accents_and_case(signed_in, facility, reconciliation):
    response = signed_in.get(url(facility, reconciliation, q="ZOË"))
    assert [r.line for r in response.context["rows"]] == [2, 3]


def test_filter_by_matched_contractor_shows_their_timeline(signed_in, facility, reconciliation):
    zoe_id = reconciliation.rows.get(line=2).contractor_id
    response = signed_in.get(url(facility, reconciliation, contractor=zoe_id))
    assert [r.line for r in response.context["rows"]] == [2, 3]
    [picture] = response.context["timelines"]
    assert picture.label == "Zoë Adams"
    assert [b.title for b in picture.covered] == ["Covered 2026-03-05 to 2026-03-10"]
    assert [(b.css, b.title) for b in picture.paid] == [
        ("tl-paid-covered", "Row 2: paid for 2026-03-05, covered"),
        ("tl-paid-missing", "Row 3: paid for 2026-03-12, not covered"),
    ]


def test_invalid_filters_are_ignored_not_errors(signed_in, facility, reconciliation):
    response = signed_in.get(
        url(facility, reconciliation, status="bogus", contractor="x", page="99")
    )
    assert response.status_code == 200
    assert len(response.context["rows"]) == 4


def test_timelines_are_inline_svg_with_a_text_alternative(signed_in, facility, reconciliation):
    html = signed_in.get(url(facility, reconciliation)).content.decode()
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 2  # Zoë and Bob; nobody for the unknown contractor
    for svg in svgs:
        assert 'role="img"' in svg
        assert re.search(r'<title id="tl\d+-title">Coverage timeline of ', svg)
        assert re.search(r'<desc id="tl\d+-desc">.+ paid row', svg)
    assert "Zoë Adams, 2026-03-05 to 2026-03-12: covered 2026-03-05 to 2026-03-10." in html
    assert "Paid but not fully covered: 2026-03-12." in html
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)


def test_certificate_numbers_link_to_the_portals_certificate_view(
    signed_in, facility, reconciliation
):
    row = reconciliation.rows.get(line=2)
    [certificate] = row.certificates
    html = signed_in.get(url(facility, reconciliation)).content.decode()
    target = f"/facilities/{facility.pk}/certificates/{certificate['number']}/"
    assert f'<a href="{target}">{certificate["number"]}</a>' in html
    # ... and the portal serves that certificate to this member.
    assert signed_in.get(target).status_code == 200


def test_pagination_has_no_gaps_or_repeats(signed_in, facility, person):
    jane = factories.contractor(facility.partner, "Jane", "Doe")
    factories.assignment(facility, jane, date(2026, 1, 1), date(2026, 12, 31))
    start = date(2026, 1, 1)
    rows = [["Contractor", "Work date"]] + [
        ["Jane Doe", (start + timedelta(days=i)).isoformat()] for i in range(230)
    ]
    reconciliation = run_schedule(facility, person, rows)
    seen = []
    for page in (1, 2, 3):
        response = signed_in.get(url(facility, reconciliation, page=page))
        seen += [r.line for r in response.context["rows"]]
    assert seen == list(range(2, 232))
    assert "Page 2 of 3" in signed_in.get(url(facility, reconciliation, page=2)).content.decode()


def test_list_page_shows_saved_reconciliations(signed_in, facility, reconciliation):
    response = signed_in.get(reverse("audits:list", args=[facility.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anyone with access to this facility can run a reconciliation" in html
    assert reverse("audits:result", args=[facility.pk, reconciliation.pk]) in html
    assert "schedule.csv" in html
    assert response.context["reconciliations"][0].attention_count == 2


def test_list_page_when_empty(signed_in, facility):
    html = signed_in.get(reverse("audits:list", args=[facility.pk])).content.decode()
    assert "No reconciliations yet." in html
    assert reverse("audits:upload", args=[facility.pk]) in html
