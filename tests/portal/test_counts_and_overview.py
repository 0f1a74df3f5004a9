"""Issue 19 on the server: the table's exact count and position (loaded after the rows), the
history page's way back to the same filters and page, the facility overview ("what's new"),
and the invite confirmation that stays in view."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance_hub.audits.models import Reconciliation
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import (
    Position,
    TableFilters,
    matching,
    parse_cursor,
    position,
    table_page,
)
from compliance_hub.facilities import invitations
from tests import factories
from tests.portal.conftest import book

pytestmark = pytest.mark.django_db


def table_url(facility, query: str = "") -> str:
    url = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    return f"{url}?{query}" if query else url


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def link(page: str, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" class="button secondary" rel="{rel}"', page)
    assert found, f"no {rel} link"
    return unescape(found[1])


@pytest.fixture
def many(db):
    """57 assignments at one facility (50 a page), and a member."""
    facility = factories.facility()
    person = factories.member(facility, role="primary")
    contractor = factories.contractor(facility.partner, "Sam", "Same")
    for i in range(57):
        book(facility, contractor, date(2025, 1, 1) + timedelta(days=i // 10), date(2025, 3, 1))
    facility.refresh_from_db()
    return facility, person


def test_the_first_page_says_where_it_is_without_another_request(client, many):
    facility, person = many
    client.force_login(person)
    page = html(client.get(table_url(facility)))
    assert "57 assignments" in page and "Rows 1\u201350 of 57" in page
    assert "data-count-url" not in page  # nothing to load: the count is exact


def test_a_later_page_loads_its_position_from_the_count(client, many):
    facility, person = many
    client.force_login(person)
    second = html(client.get(link(html(client.get(table_url(facility))), "next")))
    count_url = unescape(re.search(r'data-count-url="([^"]+)"', second)[1])
    answer = client.get(count_url).json()
    assert answer == {
        "total": 57,
        "first": 51,
        "last": 57,
        "count_text": "57 assignments",
        "match_words": "match the filters",
        "position_text": "Rows 51\u201357 of 57",
    }
    # Back from the second page: the first fifty again.
    back = html(client.get(link(second, "prev")))
    count_url = unescape(re.search(r'data-count-url="([^"]+)"', back)[1])
    assert client.get(count_url).json()["position_text"] == "Rows 1\u201350 of 57"


def test_the_count_goes_past_the_cap_and_uses_the_tables_filter_definition(roster):
    """``table_page`` stops counting at its cap; ``position`` counts every row ``matching``
    selects, with the same filters (name, dates, status)."""
    for filters in (
        TableFilters(),
        TableFilters(name="ann"),
        TableFilters(active_from=date(2025, 1, 1), active_to=date(2025, 1, 31)),
        TableFilters(status="current", end_to=date(2025, 2, 1)),
    ):
        exact = matching(roster.facility, filters).count()
        page = table_page(roster.facility, filters, cap=1)
        assert page.total_capped == (exact > 1)
        assert position(roster.facility, filters, None).total == exact
    everything = TableFilters()
    page = table_page(roster.facility, everything, page_size=2)
    cursor, refused = parse_cursor({"after": page.next_cursor}, everything)
    assert not refused and cursor is not None
    assert position(roster.facility, everything, cursor, page_size=2) == Position(6, 3, 4)


def test_the_count_answers_only_the_facilitys_members(client, roster):
    url = reverse("certificates:count", kwargs={"facility_id": roster.other.pk})
    client.force_login(roster.person)
    assert client.get(url).status_code == 404
    own = reverse("certificates:count", kwargs={"facility_id": roster.facility.pk})
    assert client.get(f"{own}?q=ann").json()["count_text"] == "2 assignments"
    # A damaged filter or page link is ignored, as the table ignores it: never a 5xx.
    answer = client.get(f"{own}?end_to=2025-02-30&after=garbage").json()
    assert answer["total"] == 6 and answer["first"] == 1


def test_the_count_costs_at_most_four_queries(client, many, django_assert_max_num_queries):
    facility, person = many
    client.force_login(person)
    url = reverse("certificates:count", kwargs={"facility_id": facility.pk})
    client.get(url)
    with django_assert_max_num_queries(4):
        assert client.get(url).json()["total"] == 57


def test_applied_filters_fold_into_one_line_above_the_table(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility)))
    assert re.search(r'<details class="card filters" open', page)  # nothing applied yet
    page = html(
        client.get(table_url(roster.facility, "active_from=2025-01-01&active_to=2025-01-31"))
    )
    assert '<details class="card filters" data-phone-collapse>' in page  # folded
    summary = re.search(
        r'<details class="card filters"[^>]*>\s*<summary>(.*?)</summary>', page, re.S
    )[1]
    text = re.sub(r"<[^>]+>", "", summary)
    assert "Active during Jan 1, 2025 to Jan 31, 2025" in text
    assert "4 assignments" in text and "Edit filters" in text
    # An invalid filter keeps the panel open, to fix it.
    page = html(client.get(table_url(roster.facility, "q=ann&end_to=2025-02-30")))
    assert re.search(r'<details class="card filters" open', page)


def test_history_leads_back_to_the_same_filters_and_page(client, many):
    facility, person = many
    client.force_login(person)
    query = "active_from=2025-01-01&active_to=2025-03-01&sort=name&dir=asc"
    first = html(client.get(table_url(facility, query)))
    second_url = link(first, "next")
    second = html(client.get(second_url))
    history = unescape(re.search(r'href="(/facilities/\d+/assignments/\d+/\?[^"]+)"', second)[1])
    assert "active_from=2025-01-01" in history and "after=" in history
    page = html(client.get(history))
    back = unescape(re.search(r'<a href="([^"]+)">← All assignments</a>', page)[1])
    assert back == second_url
    # Opened without filters (a bookmark), it leads to the whole table.
    plain = re.sub(r"\?.*", "", history)
    page = html(client.get(plain))
    assert f'<a href="{table_url(facility)}">← All assignments</a>' in page


def test_the_overview_says_whats_new(client, roster):
    facility = roster.facility
    primary = factories.member(facility, factories.person(name="Pia Primary"), role="primary")
    # The roster's certificates were issued (and A6's voided) long ago.
    long_ago = timezone.now() - timedelta(days=90)
    Certificate.objects.filter(assignment__facility=facility).update(issued_at=long_ago)
    Certificate.objects.filter(assignment__facility=facility, status="void").update(
        voided_at=long_ago
    )
    today = timezone.localdate()
    this_month = book(facility, roster.rows["A1"].contractor, today, today + timedelta(days=2))
    services.cancel_assignment(this_month)
    invitations.invite(
        email="new@riverside.example",
        facilities=[facility],
        role="member",
        by=invitations.By(primary),
    )
    client.force_login(roster.person)
    page = html(client.get(reverse("facilities:overview", kwargs={"facility_id": facility.pk})))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(page)))
    assert "Assignments this month 1 " in text
    assert "Certificates issued this month 1 " in text
    assert "Pending invitations 1 " in text and "new@riverside.example" in text
    assert "Last reconciliation None yet." in text
    # The cancelled one is listed with its void certificate, linked to its history.
    history = reverse(
        "certificates:history", kwargs={"facility_id": facility.pk, "assignment_id": this_month.pk}
    )
    assert f'href="{history}"' in page and "Void" in text
    assert roster.rows["A6"].contractor_name not in text  # voided months ago: not "lately"
    assert 'aria-current="page">Overview</a>' in page
    # Another facility's overview: 404, like every facility page.
    other = reverse("facilities:overview", kwargs={"facility_id": roster.other.pk})
    assert client.get(other).status_code == 404


def test_the_overview_shows_the_last_reconciliation(client, roster):
    facility = roster.facility
    Reconciliation.objects.create(
        facility=facility,
        file_name="march-payments.xlsx",
        created_by_label="Pat Member",
        file_kind="xlsx",
        file_size=1000,
        file_sha256="0" * 64,
        date_basis="work",
        row_count=5,
        totals={"covered": {"count": 3}, "not_covered": {"count": 2}},
    )
    client.force_login(roster.person)
    page = html(client.get(reverse("facilities:overview", kwargs={"facility_id": facility.pk})))
    assert "march-payments.xlsx" in page and "2 need attention" in page


def test_the_invite_confirmation_is_at_the_top_of_the_page_it_lands_on(client, roster):
    client.force_login(roster.person)
    url = reverse("facilities:team_invite", kwargs={"facility_id": roster.facility.pk})
    data = {"email": "sam@riverside.example", "facilities": [roster.facility.pk], "role": "member"}
    response = client.post(url, data)
    assert response.status_code == 302
    # The form posts to "…#invite"; a redirect without a fragment would keep it.
    assert response["Location"].endswith("/team/#top")
