"""The activity log as CSV: streamed, filtered like the page, safe to open in a spreadsheet."""

import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse

from compliance_hub.activity.export import safe_cell
from compliance_hub.activity.models import Activity
from tests.activity.conftest import T0, log

pytestmark = pytest.mark.django_db
V = Activity.Verb


def rows_of(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_facility_export_lists_every_matching_record_newest_first(site):
    for i in range(450):  # more than one streamed chunk
        log(
            V.VIEWED,
            at=T0 + timedelta(seconds=i),
            actor=site.member,
            facility=site.facility,
            target=f"CH-{i:04d}-XXXX",
        )
    log(V.VIEWED, at=T0, actor=site.outsider, facility=site.other, target="CH-OTHER-XXXX")
    response = site.client(site.primary).get(f"/facilities/{site.facility.pk}/activity/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="activity-st-mary-regional-'
    )
    rows = rows_of(response)
    assert rows[0][:5] == ["When (UTC)", "Who", "What", "Kind", "Concerning"]
    # The export itself is recorded first, so it is the newest record in the file.
    assert rows[1][1:5] == ["pat.primary@example.com", "Exported", "exported", "activity log"]
    targets = [r[4] for r in rows[2:]]
    assert targets == [f"CH-{i:04d}-XXXX" for i in reversed(range(450))]
    assert rows[2][0] == (T0 + timedelta(seconds=449)).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[2][1] == "mo.member@example.com"
    assert rows[2][5] == "St Mary Regional"


def test_export_applies_the_filters_and_is_itself_recorded(site):
    log(V.VIEWED, at=T0, actor=site.member, facility=site.facility, target="CH-VIEW-XXXX")
    log(V.DOWNLOADED, at=T0, actor=site.member, facility=site.facility, target="CH-DOWN-XXXX")
    response = site.client(site.primary).get(
        f"/facilities/{site.facility.pk}/activity/export.csv", {"verb": "downloaded"}
    )
    assert [r[4] for r in rows_of(response)[1:]] == ["CH-DOWN-XXXX"]  # not the export
    exported = Activity.objects.get(verb=V.EXPORTED)
    assert exported.facility == site.facility
    assert exported.actor == site.primary
    assert exported.detail["filters"] == {"verb": "downloaded"}


def test_cells_that_a_spreadsheet_would_run_are_neutralised(site):
    for target in (
        '=HYPERLINK("http://evil","x")',
        "+1+1",
        "-2",
        "@SUM(A1)",
        "\tTAB",
        "\uff1dSUM(A1)",  # full-width =
        "\u202e=1+1",  # a bidi control hiding a trigger
    ):
        log(V.INVITED, at=T0, actor=site.primary, facility=site.facility, target=target)
    log(
        V.INVITED,
        at=T0,
        actor=None,
        actor_label="=cmd|' /C calc'!A0",
        facility=site.facility,
        target="plain@example.com",
    )
    rows = rows_of(
        site.client(site.primary).get(f"/facilities/{site.facility.pk}/activity/export.csv")
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c and c[0] in "=+-@\t\r\uff1d\uff0b\uff0d\uff20"]
    assert not [c for c in cells if "\u202e" in c]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert "'=cmd|' /C calc'!A0" in cells
    assert "plain@example.com" in cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_team_member_cannot_export(site):
    response = site.client(site.member).get(f"/facilities/{site.facility.pk}/activity/export.csv")
    assert response.status_code == 403
    assert not Activity.objects.filter(verb=V.EXPORTED).exists()


def test_an_outsider_gets_404(site):
    response = site.client(site.outsider).get(f"/facilities/{site.facility.pk}/activity/export.csv")
    assert response.status_code == 404
