"""The facility activity log: primary contacts only, what it lists, filters and keyset pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.facilities import invitations
from compliance_hub.facilities.invitations import By, invite
from compliance_hub.facilities.models import Membership
from tests.activity.conftest import T0, log

pytestmark = pytest.mark.django_db
V = Activity.Verb


def url(site, **params):
    base = f"/facilities/{site.facility.pk}/activity/"
    return base, params


def get(site, who, **params):
    base, params = url(site, **params)
    return site.client(who).get(base, params)


def test_primary_contact_sees_who_did_what_at_the_facility(site):
    log(V.DOWNLOADED, at=T0, actor=site.member, facility=site.facility, target="CH-AAAA-0001")
    log(
        V.INVITED,
        at=T0 + timedelta(minutes=1),
        actor=site.primary,
        facility=site.facility,
        target="new.person@example.com",
        detail={"role": "member"},
    )
    log(
        V.REMOVED,
        at=T0 + timedelta(minutes=2),
        actor=site.primary,
        facility=site.facility,
        target="gone@example.com",
    )
    log(V.SIGNED_IN, at=T0 + timedelta(minutes=3), actor=site.member, detail={"method": "code"})
    response = get(site, site.primary)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "CH-AAAA-0001",
        "Downloaded a certificate",
        "new.person@example.com",
        "as team member",
        "gone@example.com",
        "Removed from a facility",
        "Signed in",
        "with the e-mailed code",
        "mo.member@example.com",
    ):
        assert text in html, text
    # newest first
    assert html.index("gone@example.com") < html.index("new.person@example.com")
    assert html.index("new.person@example.com") < html.index("CH-AAAA-0001")


def test_other_facilities_and_other_peoples_sign_ins_stay_out(site):
    log(V.DOWNLOADED, at=T0, actor=site.outsider, facility=site.other, target="CH-OTHER-0001")
    log(V.SIGNED_IN, at=T0, actor=site.outsider)  # not a member here
    log(V.DOWNLOADED, at=T0, actor=site.other_staff, facility=site.foreign, target="CH-FOREIGN-01")
    log(V.API_KEY_CREATED, at=T0, actor=site.staff, partner=site.partner, target="chk_live_x")
    html = get(site, site.primary).content.decode()
    assert "CH-OTHER-0001" not in html
    assert "otto.outsider@example.com" not in html
    assert "CH-FOREIGN-01" not in html
    assert "chk_live_x" not in html
    assert "Nothing has happened yet." in html


def test_sign_ins_count_only_while_the_person_was_a_member(site):
    membership = Membership.objects.get(person=site.member, facility=site.facility)
    Membership.objects.filter(pk=membership.pk).update(
        created_at=T0, revoked_at=T0 + timedelta(days=10)
    )
    log(V.SIGNED_IN, at=T0 - timedelta(days=1), actor=site.member, detail={"method": "before"})
    log(V.SIGNED_IN, at=T0 + timedelta(days=1), actor=site.member, detail={"method": "during"})
    log(V.SIGNED_IN, at=T0 + timedelta(days=11), actor=site.member, detail={"method": "after"})
    html = get(site, site.primary).content.decode()
    assert "during" in html
    assert "before" not in html and "after" not in html


def test_a_team_member_is_told_who_can_see_the_log(site):
    response = get(site, site.member)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only primary contacts see the activity log" in html
    assert "pat.primary@example.com" in html or "Pat" in html


@pytest.mark.parametrize("who", ["outsider", "staff", "other_staff"])
def test_anyone_without_a_membership_gets_404(site, who):
    assert get(site, getattr(site, who)).status_code == 404


def test_anonymous_is_sent_to_sign_in(site, client):
    response = client.get(f"/facilities/{site.facility.pk}/activity/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_the_facility_header_links_to_the_log_for_primary_contacts_only(site):
    table = f"/facilities/{site.facility.pk}/certificates/"
    link = f'href="/facilities/{site.facility.pk}/activity/"'
    assert link in site.client(site.primary).get(table).content.decode()
    assert link not in site.client(site.member).get(table).content.decode()


def test_filters_by_kind_person_and_days(site):
    log(V.DOWNLOADED, at=T0, actor=site.member, facility=site.facility, target="CH-DAY1-0001")
    log(
        V.VIEWED,
        at=T0 + timedelta(days=1),
        actor=site.primary,
        facility=site.facility,
        target="CH-DAY2-0001",
    )
    log(
        V.DOWNLOADED,
        at=T0 + timedelta(days=2),
        actor=site.primary,
        facility=site.facility,
        target="CH-DAY3-0001",
    )

    def shown(**params):
        html = get(site, site.primary, **params).content.decode()
        found = [n for n in ("CH-DAY1-0001", "CH-DAY2-0001", "CH-DAY3-0001") if n in html]
        return sorted(found, key=html.index)

    assert shown(verb="downloaded") == ["CH-DAY3-0001", "CH-DAY1-0001"]
    assert shown(person="MO.MEMBER") == ["CH-DAY1-0001"]
    assert shown(person="day2") == ["CH-DAY2-0001"]  # "concerning" matches too
    day2 = (T0 + timedelta(days=1)).date().isoformat()
    assert shown(date_from=day2, date_to=day2) == ["CH-DAY2-0001"]
    assert shown(date_from=day2) == ["CH-DAY3-0001", "CH-DAY2-0001"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-02-30"}, "is not a real date"),
        ({"date_to": "yesterday"}, "Enter the date as year-month-day"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "is before the"),
        ({"verb": "hacked"}, "Choose one of the listed kinds"),
        ({"verb": "api_key_created"}, "Choose one of the listed kinds"),  # partner-only
        ({"person": "x" * 300}, "at most 254"),
    ],
)
def test_bad_filters_are_explained_and_the_rest_still_applies(site, params, message):
    log(V.DOWNLOADED, at=T0, actor=site.member, facility=site.facility, target="CH-KEEP-0001")
    response = get(site, site.primary, **params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert "CH-KEEP-0001" in html


def _walk(site, direction, start_params):
    """Follow Older (or Newer) links to the end; return the targets in page order."""
    import re

    seen, params, pages = [], dict(start_params), 0
    while True:
        html = get(site, site.primary, **params).content.decode()
        seen.extend(re.findall(r"T-\d{4}", html))
        pages += 1
        rel = "next" if direction == "older" else "prev"
        match = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
        if not match:
            return seen, pages, html
        query = match.group(1).split("?", 1)[1].replace("&amp;", "&")
        params = dict(p.split("=", 1) for p in query.split("&"))
        from urllib.parse import unquote

        params = {k: unquote(v) for k, v in params.items()}


def test_keyset_pages_show_every_record_once_forwards_and_backwards(site):
    # 130 records, many sharing the same instant: order falls back to id.
    for i in range(130):
        log(
            V.VIEWED,
            at=T0 + timedelta(seconds=i // 7),
            actor=site.member,
            facility=site.facility,
            target=f"T-{i:04d}",
        )
    expected = [f"T-{i:04d}" for i in reversed(range(130))]
    older, pages, last_html = _walk(site, "older", {})
    assert older == expected
    assert pages == 3
    # from the last page back to the newest
    import re

    newer_link = re.search(r'<a href="([^"]+)" rel="prev">', last_html)
    assert newer_link is not None
    query = newer_link.group(1).split("?", 1)[1].replace("&amp;", "&")
    from urllib.parse import unquote

    params = {k: unquote(v) for k, v in (p.split("=", 1) for p in query.split("&"))}
    newer, pages_back, _ = _walk(site, "newer", params)
    assert pages_back == 2
    assert newer == expected[50:100] + expected[:50]  # page 2, then page 1


def test_a_damaged_page_link_shows_the_newest_page(site):
    log(V.VIEWED, at=T0, actor=site.member, facility=site.facility, target="T-0001")
    for cursor in ("nonsense", "W10", "WyJ4IiwgMV0", "W251bGwsIC0xXQ"):
        response = get(site, site.primary, after=cursor)
        assert response.status_code == 200
        html = response.content.decode()
        assert "That page link no longer works" in html
        assert "T-0001" in html


def test_the_page_is_recorded_nowhere_and_changes_nothing(site, django_assert_max_num_queries):
    log(V.VIEWED, at=timezone.now(), actor=site.member, facility=site.facility, target="T-0001")
    before = Activity.objects.count()
    client = site.client(site.primary)
    # session, person, memberships (access + switcher), the page of records
    with django_assert_max_num_queries(4):
        assert client.get(f"/facilities/{site.facility.pk}/activity/").status_code == 200
    assert Activity.objects.count() == before


def test_an_invited_persons_sign_ins_show_only_from_their_acceptance_on(site):
    """Inviting someone does not let the facility read their sign-ins: accepting does."""
    invitation = invite(
        email=site.outsider.email,
        facilities=[site.facility],
        role="member",
        by=By(site.primary),
    )
    log(V.SIGNED_IN, at=timezone.now(), actor=site.outsider, detail={"method": "link"})
    html = get(site, site.primary).content.decode()
    assert "Invited" in html and "with the e-mailed link" not in html
    invitations.accept_as(site.outsider, invitation.pk)
    log(V.SIGNED_IN, at=timezone.now(), actor=site.outsider, detail={"method": "code"})
    html = get(site, site.primary).content.decode()
    assert "with the e-mailed code" in html and "with the e-mailed link" not in html
