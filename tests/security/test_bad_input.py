"""Bad input never breaks the hub: any query string, JSON body or uploaded file gets a 2xx/3xx
or a 4xx that says what is wrong — never a 5xx. Oversized bodies are refused before they are
read; uploads are recognised by their content, not their name."""

from __future__ import annotations

import io
import string
from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.audits.parsing.files import read_schedule
from compliance_hub.audits.parsing.limits import MAX_BYTES
from compliance_hub.audits.parsing.table import FileProblem, Table
from tests.audits.helpers import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values an attacker or a broken bookmark might put anywhere.
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "9" * 40,
            "2026-02-30",
            "0000-00-00",
            "9999-12-31",
            "0001-01-01",
            "2026-13-01",
            "' OR 1=1 --",
            "%00",
            "\x00",
            "<script>",
            "../../etc/passwd",
            "\uff11\uff12\uff13",  # full-width digits
            "e" * 500,
            "eyJ4IjoxfQ",
            "NaN",
            "1e308",
        ]
    ),
)
TABLE_KEYS = st.sampled_from(
    [
        "effective_from",
        "effective_to",
        "end_from",
        "end_to",
        "active_from",
        "active_to",
        "q",
        "status",
        "preset",
        "sort",
        "dir",
        "after",
        "before",
        "page",
        "x",
    ]
)
ACTIVITY_KEYS = st.sampled_from(
    ["verb", "person", "date_from", "date_to", "facility", "after", "before", "q"]
)


def _status_ok(response) -> None:
    assert response.status_code < 500, response.status_code
    if 400 <= response.status_code < 500:
        text = response.content.decode("utf-8", "replace")
        assert len(text.strip()) > 0  # a page or a problem that explains


def _problem(response) -> None:
    """A 4xx from the API is problem+json with a human detail."""
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == response.status_code
        assert isinstance(body["detail"], str) and body["detail"]


# --- table filters ----------------------------------------------------------------------


@FAST
@given(params=st.dictionaries(TABLE_KEYS, NASTY, max_size=6))
def test_any_certificate_table_query_string_is_answered(world, params):
    response = world.clients["member"].get(f"/facilities/{world.facility.pk}/certificates/", params)
    _status_ok(response)
    assert response.status_code == 200  # invalid filters are explained on the page


@FAST
@given(params=st.dictionaries(TABLE_KEYS, NASTY, max_size=6))
def test_any_export_query_string_is_answered(world, params):
    response = world.clients["member"].get(
        f"/facilities/{world.facility.pk}/certificates/export.csv", params
    )
    _status_ok(response)


@FAST
@given(params=st.dictionaries(ACTIVITY_KEYS, NASTY, max_size=5))
def test_any_activity_log_query_string_is_answered(world, params):
    response = world.clients["primary"].get(f"/facilities/{world.facility.pk}/activity/", params)
    _status_ok(response)
    response = world.clients["staff"].get("/partner/activity/", params)
    _status_ok(response)


@FAST
@given(params=st.dictionaries(NASTY, NASTY, max_size=4))
def test_any_api_list_query_is_answered(world, params):
    cache.clear()
    for path in ("/api/v1/assignments", "/api/v1/facilities", "/api/v1/contractors"):
        _problem(world.clients["key"].get(path, params))


# --- API payloads -----------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | NASTY,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
ASSIGNMENT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "facility": st.one_of(NASTY, st.just("FAC-MAIN"), JSON),
        "contractor": st.one_of(NASTY, st.just("C-JANE"), JSON),
        "effective_date": st.one_of(NASTY, st.dates().map(date.isoformat), JSON),
        "end_date": st.one_of(NASTY, st.dates().map(date.isoformat), JSON),
        "description": st.one_of(NASTY, JSON),
        "external_id": st.one_of(NASTY, JSON),
    },
)


@FAST
@given(body=st.one_of(JSON, ASSIGNMENT_FIELDS), external_id=NASTY)
def test_any_assignment_payload_is_answered(world, body, external_id):
    cache.clear()
    key = world.clients["key"]
    path = "/api/v1/assignments/" + (external_id or "A-1")
    _problem(key.put(path, body, content_type="application/json"))


@FAST
@given(items=st.one_of(JSON, st.lists(ASSIGNMENT_FIELDS, max_size=5), st.lists(JSON, max_size=3)))
def test_any_bulk_payload_is_answered(world, items):
    cache.clear()
    response = world.clients["key"].post(
        "/api/v1/assignments/bulk", {"items": items}, content_type="application/json"
    )
    _problem(response)


@FAST
@given(
    body=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {},
            optional={
                "name": JSON,
                "first_name": JSON,
                "last_name": JSON,
                "email": JSON,
                "address": st.one_of(
                    JSON, st.dictionaries(st.sampled_from(["line1", "country"]), NASTY)
                ),
                "bulk_download_enabled": JSON,
            },
        ),
    ),
    which=st.sampled_from(["facilities/F-{}", "contractors/C-{}", "facilities/FAC-MAIN/settings"]),
    suffix=st.text(alphabet=string.ascii_letters + "-_.~%", min_size=1, max_size=20),
)
def test_any_facility_or_contractor_payload_is_answered(world, body, which, suffix):
    cache.clear()
    response = world.clients["key"].put(
        "/api/v1/" + which.format(suffix), body, content_type="application/json"
    )
    _problem(response)


@FAST
@given(raw=st.binary(max_size=300))
def test_any_raw_body_is_answered(world, raw):
    cache.clear()
    response = world.clients["key"].generic(
        "PUT", "/api/v1/assignments/A-1", raw, content_type="application/json"
    )
    _problem(response)
    assert response.status_code >= 400 or raw.strip().startswith(b"{")


# --- the payment-schedule parser --------------------------------------------------------


def _parses_or_explains(data: bytes) -> None:
    try:
        table = read_schedule(data)
    except FileProblem as problem:
        assert str(problem).strip()
    else:
        assert isinstance(table, Table)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2000))
def test_any_bytes_are_read_or_explained(data):
    _parses_or_explains(data)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.one_of(st.text(max_size=20), st.integers(), st.floats()), max_size=6),
        max_size=8,
    ),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_any_csv_is_read_or_explained(rows, encoding, delimiter):
    try:
        data = csv_bytes(rows, encoding=encoding, delimiter=delimiter)
    except UnicodeEncodeError:
        return
    _parses_or_explains(data)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.text(max_size=20).filter(lambda t: not any(ord(c) < 32 for c in t)),
                st.integers(min_value=-(10**12), max_value=10**12),
                st.floats(allow_nan=False, allow_infinity=False),
                st.dates(min_value=date(1900, 3, 1)),
                st.none(),
            ),
            max_size=5,
        ),
        max_size=6,
    )
)
def test_any_xlsx_is_read_or_explained(rows):
    _parses_or_explains(xlsx_bytes(rows))


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=400))
def test_a_damaged_workbook_is_explained(data):
    workbook = xlsx_bytes([["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]])
    cut = len(data) % len(workbook)
    _parses_or_explains(workbook[:cut] + data)


@FAST
@given(data=st.binary(max_size=600), name=st.sampled_from(["s.csv", "s.xlsx", "s", "s.pdf"]))
def test_any_uploaded_file_gets_a_page_not_an_error(world, data, name):
    cache.clear()  # the upload rate limit
    response = world.clients["member"].post(
        f"/facilities/{world.facility.pk}/audits/new/",
        {"schedule": SimpleUploadedFile(name, data)},
    )
    assert response.status_code in (302, 400, 429), response.status_code  # 429: uploads waiting


# --- size limits and content sniffing ---------------------------------------------------


def test_an_oversized_api_body_is_refused_before_it_is_read(world, settings):
    settings.PARTNER_API_MAX_BODY = 1000
    client = world.clients["key"]
    response = client.post(
        "/api/v1/assignments/bulk",
        {"items": [{"pad": "x" * 2000}]},
        content_type="application/json",
    )
    _problem(response)
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["detail"]


def test_an_oversized_form_body_is_refused(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = world.clients["member"].post(
        f"/facilities/{world.facility.pk}/team/invite/", {"email": "x" * 20_000}
    )
    assert response.status_code == 400


def test_an_oversized_upload_is_refused_with_its_limit(world):
    big = SimpleUploadedFile("s.csv", b"a,b\n" + b"1,2\n" * (MAX_BYTES // 4 + 10))
    response = world.clients["member"].post(
        f"/facilities/{world.facility.pk}/audits/new/", {"schedule": big}
    )
    assert response.status_code == 413
    assert f"{MAX_BYTES // 1024 // 1024} MB limit" in response.content.decode()


def test_an_upload_is_recognised_by_content_not_name(world):
    member = world.clients["member"]
    url = f"/facilities/{world.facility.pk}/audits/new/"
    rows = [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]
    # A CSV called .xlsx and a workbook called .csv are both read for what they are.
    assert (
        member.post(url, {"schedule": SimpleUploadedFile("s.xlsx", csv_bytes(rows))}).status_code
        == 302
    )
    assert (
        member.post(url, {"schedule": SimpleUploadedFile("s.csv", xlsx_bytes(rows))}).status_code
        == 302
    )
    # A PDF called .csv is refused, and the page says what it is.
    pdf = member.post(url, {"schedule": SimpleUploadedFile("s.csv", b"%PDF-1.7\n" + bytes(200))})
    assert pdf.status_code == 400
    assert "This is a PDF" in pdf.content.decode()
    # A zip that is not a workbook is not taken for one.
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.txt", "x")
    odd = member.post(url, {"schedule": SimpleUploadedFile("s.xlsx", buffer.getvalue())})
    assert odd.status_code == 400
