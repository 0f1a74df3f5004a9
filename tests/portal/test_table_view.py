"""The certificate table page: scope, switcher, filters in the URL, errors, pages, query budget."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.facilities.models import Membership
from tests import factories
from tests.portal.conftest import book

pytestmark = pytest.mark.django_db


def table_url(facility, query: str = "") -> str:
    url = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    return f"{url}?{query}" if query else url


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_names(page: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'<span class="contractor">([^<]+)</span>', page)]


def option_ids(page: str) -> list[int]:
    select = re.search(r'<select id="facility-switcher-select".*?</select>', page, re.S)
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))] if select else []


def test_shows_one_row_per_assignment_with_dates_and_certificate_links(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility)))
    # Newest effective date first; A1 and A2 share Jan 1 (the later id first).
    assert row_names(page) == [
        "Dana Smith-Jones",
        "Ann Lee",
        "Zoë O'Neil",
        "Bob Stone",
        "Ann Lee",
        "Carl Åberg",
    ]
    assert "Riverside Care Home" in page and "Shiftwise Staffing" in page
    assert '<time datetime="2025-01-15">Jan 15, 2025</time>' in page
    assert "several rows" in page  # the help text
    a3 = roster.rows["A3"]
    number = a3.current_certificate.number
    assert f'href="/facilities/{roster.facility.pk}/certificates/{number}/"' in page
    assert f'href="/facilities/{roster.facility.pk}/certificates/{number}/download/"' in page
    assert f'href="/facilities/{roster.facility.pk}/assignments/{a3.pk}/"' in page
    assert "Night shift" in page and number in page
    assert page.count('<span class="badge badge-bad">Void</span>') == 1
    assert "6 assignments" in page


def test_accessible_table_markup(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility, "sort=name&dir=asc")))
    assert "<caption" in page and "sorted by contractor name, A to Z" in page
    assert page.count('<th scope="col"') == 4
    assert page.count('<th scope="row"') == 6
    assert 'aria-sort="ascending"' in page and page.count("aria-sort=") == 1
    # The sorted column's header link flips the direction; the others sort by their default.
    links = [unescape(u) for u in re.findall(r'class="sort-link" href="([^"]+)"', page)]
    base = table_url(roster.facility)
    assert links == [f"{base}?sort=name&dir=desc", base, f"{base}?sort=end&dir=desc"]
    for field in ("effective_from", "effective_to", "end_from", "end_to", "active_from", "q"):
        assert f'<label for="id_{field}">' in page and f'id="id_{field}"' in page
    assert "<legend>Active during</legend>" in page
    assert '<button type="submit">Apply</button>' in page


def test_filters_live_in_the_url_and_links_keep_them(client, roster):
    client.force_login(roster.person)
    page = html(
        client.get(table_url(roster.facility, "active_from=2025-01-05&active_to=2025-01-05"))
    )
    assert sorted(row_names(page)) == ["Bob Stone", "Carl Åberg"]
    # Applied filters read as one line: what they are, how many rows, "Edit filters".
    summary = re.sub(
        r"<[^>]+>",
        "",
        re.search(r'<details class="card filters"[^>]*>\s*<summary>(.*?)</summary>', page, re.S)[1],
    )
    assert "Active during Jan 5, 2025 to Jan 5, 2025" in summary and "2 assignments" in summary
    assert 'value="2025-01-05"' in page  # the form shows the filter back
    header_links = re.findall(r'class="sort-link" href="([^"]+)"', page)
    assert header_links and all("active_from=2025-01-05" in unescape(u) for u in header_links)
    # Clear keeps nothing but the sort order.
    assert f'href="{table_url(roster.facility)}" class="button secondary">Clear' in page


def test_presets_set_the_active_during_range(client, roster):
    client.force_login(roster.person)
    today = timezone.localdate()
    page = html(client.get(table_url(roster.facility, "preset=this_year")))
    assert f'value="{today.year}-01-01"' in page and f'value="{today.year}-12-31"' in page
    assert 'aria-current="true" class="preset-active">This year' in page
    assert f"active_from={today.year - 1}-01-01&amp;active_to={today.year - 1}-12-31" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("effective_from=2026-02-30", "2026-02-30 is not a real date"),
        ("effective_from=2025-03-01&effective_to=2025-02-01", "is before the “from” date"),
        ("end_to=garbage", "Enter the date as year-month-day"),
        ("active_from=0000-01-01", "Enter a year between 1900 and 2199"),
        ("active_to=20250101", "Enter the date as year-month-day"),
        ("q=%21%40%23", "Type letters of the contractor"),
        ("q=" + "z" * 150, "Type at most 100 characters"),
        ("status=%00", "Choose All, Current or Void"),
    ],
)
def test_invalid_input_shows_a_message_and_the_rest_still_works(client, roster, query, message):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility, query + "&q2=x")))
    assert message in unescape(page)
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert len(row_names(page)) == 6  # the invalid filter is ignored, the table still works


def test_invalid_field_is_dropped_but_valid_ones_apply(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility, "effective_from=2025-02-30&q=ann")))
    assert "not a real date" in page
    assert row_names(page) == ["Ann Lee", "Ann Lee"]


@pytest.mark.parametrize(
    "query",
    [
        "after=%FF%FE",
        "before=" + "x" * 5000,
        "sort=../../etc&dir=<script>",
        "effective_from[]=1&status[]=void",
        "effective_from=%E2%80%AE2025-01-01",
        "q=%F0%9F%98%80",
        "facility=1&after=eyJ4Ijox",
    ],
)
def test_garbage_never_breaks_the_page(client, roster, query):
    client.force_login(roster.person)
    response = client.get(table_url(roster.facility, query))
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("</header>")[1]


def test_a_broken_page_link_falls_back_to_the_first_page(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility, "after=bm90LWEtY3Vyc29y")))
    assert "That page link no longer works" in page
    assert len(row_names(page)) == 6


def test_empty_states(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility, "active_from=2030-01-01")))
    assert "No assignments match these filters" in page and "clear the filters" in page
    assert "0 assignments" in page
    empty = factories.facility(roster.facility.partner, name="Brand New Clinic")
    factories.member(empty, roster.person)
    page = html(client.get(table_url(empty)))
    assert "No assignments at Brand New Clinic yet" in page
    assert "Shiftwise Staffing books contractors" in page


def test_pages_follow_next_and_previous_links(client, db):
    facility = factories.facility()
    person = factories.member(facility)
    contractor = factories.contractor(facility.partner, "Sam", "Same")
    for i in range(57):  # 50 a page; many share a date
        book(facility, contractor, date(2025, 1, 1) + timedelta(days=i // 10), date(2025, 3, 1))
    client.force_login(person)
    first = html(client.get(table_url(facility)))
    assert len(row_names(first)) == 50 and "57 assignments" in first
    assert 'rel="prev"' not in first and "First page" not in first
    next_url = unescape(re.search(r'href="([^"]+)" class="button secondary" rel="next"', first)[1])
    second = html(client.get(next_url))
    assert len(row_names(second)) == 7 and 'rel="next"' not in second
    assert "57 assignments" in second and "First page" in second
    prev_url = unescape(re.search(r'href="([^"]+)" class="button secondary" rel="prev"', second)[1])
    again = html(client.get(prev_url))
    ids = re.findall(r"/assignments/(\d+)/", first)
    assert re.findall(r"/assignments/(\d+)/", again) == ids
    all_ids = ids + re.findall(r"/assignments/(\d+)/", second)
    assert len(all_ids) == len(set(all_ids)) == 57


def test_switcher_lists_exactly_the_persons_facilities(client, db):
    partner = factories.partner(name="Shiftwise")
    mine = [factories.facility(partner, name=n) for n in ("Cedar House", "Alder Court")]
    elsewhere = factories.facility(factories.partner(name="Other Staffing"), name="Birch Place")
    revoked = factories.facility(partner, name="Revoked Ward")
    not_mine = factories.facility(partner, name="Not Mine")
    person = factories.person()
    for f in [*mine, elsewhere]:
        factories.member(f, person)
    Membership.objects.create(person=person, facility=revoked, revoked_at=timezone.now())
    factories.member(not_mine)  # someone else's facility
    client.force_login(person)
    page = html(client.get(table_url(mine[0])))
    assert option_ids(page) == [mine[1].pk, elsewhere.pk, mine[0].pk]  # by name
    assert f'<option value="{mine[0].pk}" selected>' in page
    assert "Revoked Ward" not in page and "Not Mine" not in page
    assert "Birch Place · Other Staffing" in page  # two partners: say whose
    assert 'action="/facilities/switch/"' in page and ">Go</button>" in page
    assert "hub/portal.js" in page


def test_a_single_facility_needs_no_dropdown(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility)))
    assert option_ids(page) == []
    assert '<span class="facility-only">' in page


def test_switching_keeps_date_filters_and_drops_the_name_search(client, roster):
    factories.member(roster.other, roster.person)
    client.force_login(roster.person)
    response = client.get(
        "/facilities/switch/",
        {
            "facility": roster.other.pk,
            "active_from": "2025-01-01",
            "active_to": "2025-01-31",
            "q": "ann",
            "sort": "end",
            "dir": "asc",
            "after": "xyz",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == table_url(
        roster.other, "active_from=2025-01-01&active_to=2025-01-31&sort=end&dir=asc"
    )
    page = html(client.get(response["Location"]))
    assert row_names(page) == ["Ann Lee"]  # the other facility's own row


def test_switching_to_a_facility_you_cannot_see_is_404(client, roster):
    client.force_login(roster.person)
    assert client.get("/facilities/switch/", {"facility": roster.other.pk}).status_code == 404
    for not_an_id in ("9" * 40, "x", "\u00b2"):  # too long, no digits, a non-ASCII digit
        assert client.get("/facilities/switch/", {"facility": not_an_id}).status_code == 302


def test_viewing_a_table_remembers_the_facility(client, roster):
    factories.member(roster.other, roster.person)
    client.force_login(roster.person)
    html(client.get(table_url(roster.other)))
    assert Person.objects.get(pk=roster.person.pk).last_facility_id == roster.other.pk
    html(client.get(table_url(roster.facility)))
    assert Person.objects.get(pk=roster.person.pk).last_facility_id == roster.facility.pk


@pytest.mark.parametrize(
    ("query", "most"),
    [
        ("", 4),
        ("sort=name&dir=desc", 4),
        # A name search first counts the name's rows; a rare name's page ids come next.
        ("active_from=2025-01-01&active_to=2025-12-31&end_to=2025-06-01&q=lee&status=current", 6),
        ("q=ann+lee&sort=end&dir=asc", 6),
    ],
)
def test_a_table_page_costs_at_most_four_queries(
    client, roster, django_assert_max_num_queries, query, most
):
    """Counted: session, person, memberships (+facility, partner), rows+count. All of them;
    a name search two more at most."""
    client.force_login(roster.person)
    html(client.get(table_url(roster.facility)))  # remembers the facility (one UPDATE, once)
    with django_assert_max_num_queries(most):
        assert row_names(html(client.get(table_url(roster.facility, query))))


def test_a_deep_page_costs_at_most_four_queries(client, db, django_assert_max_num_queries):
    facility = factories.facility()
    person = factories.member(facility)
    contractor = factories.contractor(facility.partner)
    for i in range(120):
        book(facility, contractor, date(2025, 1, 1) + timedelta(days=i % 7), date(2025, 2, 1))
    client.force_login(person)
    url = table_url(facility)
    html(client.get(url))
    for _ in range(2):
        with django_assert_max_num_queries(4):
            page = html(client.get(url))
        url = unescape(re.search(r'href="([^"]+)" class="button secondary" rel="next"', page)[1])
    with django_assert_max_num_queries(4):
        assert len(row_names(html(client.get(url)))) == 20


def test_anonymous_people_are_sent_to_sign_in(client, roster):
    response = client.get(table_url(roster.facility))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_other_facilities_are_404(client, roster):
    client.force_login(roster.person)
    assert client.get(table_url(roster.other)).status_code == 404
    assert client.get("/facilities/999999999/certificates/").status_code == 404
    assert client.get(f"/facilities/{'9' * 30}/certificates/").status_code == 404


def test_revoked_membership_is_404(client, roster):
    client.force_login(roster.person)
    html(client.get(table_url(roster.facility)))
    Membership.objects.filter(person=roster.person).update(revoked_at=timezone.now())
    assert client.get(table_url(roster.facility)).status_code == 404


def test_team_and_audit_links_in_the_facility_header(client, roster):
    client.force_login(roster.person)
    page = html(client.get(table_url(roster.facility)))
    nav = re.search(
        r'<nav aria-label="Riverside Care Home" class="facility-nav">.*?</nav>', page, re.S
    )
    assert nav and 'aria-current="page">Certificates' in nav[0]
    team = reverse("facilities:team", kwargs={"facility_id": roster.facility.pk})
    assert f'href="{team}"' in nav[0]


def test_table_actions_placeholder_receives_the_filters(client, roster, settings):
    client.force_login(roster.person)
    response = client.get(table_url(roster.facility, "q=lee&status=void"))
    assert response.context["filters_querystring"] == "q=lee&status=void"
    assert [t.name for t in response.templates].count("certificates/_table_actions.html") == 1


def test_the_active_during_bound_comes_with_the_facility(
    client, roster, django_assert_max_num_queries
):
    """The facility's longest assignment (31 days) bounds the scan at no extra query."""
    client.force_login(roster.person)
    html(client.get(table_url(roster.facility)))
    with django_assert_max_num_queries(4) as captured:
        page = html(
            client.get(table_url(roster.facility, "active_from=2025-01-10&active_to=2025-01-15"))
        )
    assert sorted(row_names(page)) == ["Bob Stone", "Zoë O'Neil"]
    # Jan 10 minus 31 days, as a literal the planner can estimate.
    assert "2024-12-10" in captured.captured_queries[-1]["sql"]
