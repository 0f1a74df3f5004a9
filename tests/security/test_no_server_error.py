"""No client-supplied value causes a server error.

Every URL pattern of the site and the admin (found by walking Django's URL resolver, as the
authorization matrix does, so a view added later is covered without being listed here) is
requested with hostile values in its path and in each query parameter, form field and header
it reads: NUL bytes, lone surrogates, Unicode digits, extreme dates, huge numbers, very long
strings, broken percent-encoding, and page cursors carrying all of these. As anonymous, a
team member, a primary contact, an auditor, partner staff and a partner API key, the answer
is always below 500. ``READS`` says which parameters each view reads (the partner API's come
from its OpenAPI description); a pattern missing from it fails
``test_every_pattern_has_a_strategy``.
The sweeps are marked ``slow`` (a few minutes); the values that once broke a page are fixed
cases that always run.
"""

# ruff: noqa: RUF001  (look-alike digits are the point of these values)
from __future__ import annotations

import base64
import copy
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.activity.models import Activity
from compliance_hub.partner_api.api.app import api
from tests import factories
from tests.security.conftest import World
from tests.security.test_authorization_matrix import ADMIN, RULES, SITE, Found, _concrete

pytestmark = pytest.mark.django_db

PRINCIPALS = ("anonymous", "member", "primary", "staff", "key", "auditor")
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- hostile values ------------------------------------------------------------------------

UNICODE_DIGITS = ["٣", "١٢", "１２", "²", "߀", "𝟗", "੩੪", "Ⅻ", "1٣", "٣.٥", "-٣"]
EXTREME_DATES = [
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2026-02-30",
    "٢٠٢٦-٠٣-٠٥",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999-14:00",
    "9999-12-31T23:59:59+00:00",
    "2026-03-05T25:61:00Z",
]
HUGE_NUMBERS = [
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    str(2**64),
    str(10**100),
    "9" * 5000,
    "1e308",
    "-1",
    "0",
    "00",
    "NaN",
    "Infinity",
    "1_000",
    " 7",
    "0x1F",
]
CONTROL = ["\x00", "a\x00b", "\ud800", "x\udfffy", "\ufeff", "\u202e", "\r\n", "\t", "\x7f", ""]
LONG = ["a" * 10_000, "é" * 3000, "𝟗" * 1000, "a b " * 200]
WORDS = ["Jane", "CH-0000-0000", "FAC-MAIN", "A-1", "' OR 1=1 --", "<script>", "../../etc"]
# Fragments inserted into the URL as they are, not encoded: broken percent-encoding.
RAW = ["%", "%Z", "%ZZ", "%E2%82", "%ED%A0%80", "%C0%80", "%C0%AF", "%FF%FE", "%00", "%2F", "+"]

TEXT = st.one_of(
    st.sampled_from(UNICODE_DIGITS + EXTREME_DATES + HUGE_NUMBERS + CONTROL + LONG + WORDS),
    st.text(max_size=20),
    st.text(st.characters(categories=["Cs", "Nd", "Cc", "Cf", "No"]), max_size=8),
)


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# JSON values that broke a query once: inside a cursor they reach the database.
HOSTILE_JSON: list[Any] = [*CONTROL, *EXTREME_DATES, "٣", "１２", "a" * 10_000]
HOSTILE_JSON += [2**63, 2**64, 10**100, -(2**63) - 1, -1, 0, 1.5, True, None, [], {}]
ATOM = st.one_of(
    st.sampled_from(HOSTILE_JSON),
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
)
# Page cursors are base64 JSON: well-formed ones carrying hostile values reach the queries.
CURSOR = st.one_of(
    st.tuples(
        st.sampled_from(["effective", "end", "name"]) | TEXT,
        st.sampled_from(["asc", "desc"]) | TEXT,
        ATOM,
        ATOM,
    ),
    st.tuples(st.sampled_from(EXTREME_DATES) | ATOM, ATOM),
    st.lists(ATOM, max_size=5),
    st.dictionaries(
        st.sampled_from(["v", "k", "id", "pk", "at", "sort", "dir", "value", "position"]),
        ATOM,
        max_size=5,
    ),
).map(lambda value: _b64(list(value) if isinstance(value, tuple) else value))


def encoded(text: str) -> str:
    return quote(text, safe="", errors="surrogatepass")


def fragment(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A URL fragment: ``text`` percent-encoded (surrogates as the bytes they would be), or raw
    broken encoding."""
    return st.one_of(text.map(encoded), st.sampled_from(RAW))


# --- what each view reads ------------------------------------------------------------------

SORTS = ("name", "effective", "end")
TABLE: tuple[str, ...] = ("effective_from", "effective_to", "end_from", "end_to")
TABLE += ("active_from", "active_to", "q", "status", "preset", "sort", "dir", "after", "before")
ACTIVITY = ("verb", "person", "date_from", "date_to", "facility", "after", "before")


@dataclass(frozen=True)
class Reads:
    query: tuple[str, ...] = ()
    form: tuple[str, ...] = ()  # POST fields
    methods: tuple[str, ...] = ()  # besides the matrix row's method


TERM_FORM = (
    "policy_effective",
    "policy_expiry",
    "basis",
    "aggregate_applies_per",
    "wc_limits",
    "proprietor_excluded",
    "el_each_accident",
    "el_disease_each_employee",
    "el_disease_policy_limit",
)

SSO_FORM = ("issuer", "client_id", "client_secret", "domains", "enabled")

READS: dict[str, Reads] = {
    "home": Reads(),
    "accounts:sign_in": Reads(("next", "email"), ("email", "next"), ("POST",)),
    "accounts:sign_in_sent": Reads(),
    "accounts:sign_in_code": Reads(form=("code",)),
    "accounts:sign_in_confirm": Reads(methods=("POST",)),
    "accounts:sign_in_renew": Reads(),
    "accounts:sign_in_link": Reads(methods=("POST",)),
    # The passkey ceremonies read JSON bodies: tests/passkeys/test_views.py sends them hostile
    # ones.
    "passkeys:list": Reads(),
    "passkeys:register_options": Reads(),
    "passkeys:register": Reads(),
    "passkeys:rename": Reads(form=("name",)),
    "passkeys:remove": Reads(methods=("GET",)),
    "passkeys:required": Reads(("next",)),
    "passkeys:confirm_options": Reads(),
    "passkeys:confirm": Reads(),
    "passkeys:sign_in_options": Reads(),
    "passkeys:sign_in": Reads(),
    "passkeys:team_policy": Reads(form=("required",)),
    "passkeys:team_reset": Reads(),
    "passkeys:console_staff": Reads(),
    "passkeys:console_partner_policy": Reads(form=("required",)),
    "passkeys:console_staff_reset": Reads(),
    "passkeys:console_facility_policy": Reads(form=("required",)),
    "passkeys:console_member_reset": Reads(),
    "accounts:sign_out": Reads(methods=("GET",)),
    "accounts:sign_out_everywhere": Reads(methods=("GET",)),
    "facilities:overview": Reads(),
    "facilities:team": Reads(),
    "auditors:facility": Reads(),
    "auditors:grant": Reads(
        form=("email", "firm", "period_start", "period_end", "expires_on", "reconciliations")
    ),
    "auditors:revoke": Reads(),
    "facilities:team_invite": Reads(form=("email", "name", "role", "facilities")),
    "facilities:team_leave": Reads(),
    "facilities:team_remove": Reads(),
    "facilities:team_resend": Reads(),
    "facilities:team_revoke": Reads(),
    "facilities:invitation_accept": Reads(methods=("POST",)),
    "facilities:invitation_renew": Reads(),
    "facilities:invitation_renewed": Reads(),
    "facilities:invitation_declined": Reads(),
    "facilities:invitation_link": Reads(),
    "facilities:invitation_decline": Reads(),
    "facilities:pending": Reads(),
    "facilities:pending_accept": Reads(),
    "facilities:pending_decline": Reads(),
    "certificates:switch": Reads(("facility", *TABLE)),
    "certificates:table": Reads(TABLE),
    "certificates:count": Reads(TABLE),
    "certificates:view": Reads(),
    "certificates:download": Reads(),
    "certificates:original": Reads(),
    "certificates:history": Reads(TABLE),
    "certificates:verify": Reads(),
    "certificates:verify_form": Reads(("number", "code")),
    "certificates:export_csv": Reads(TABLE),
    "certificates:export_xlsx": Reads(TABLE),
    "certificates:bulk_download": Reads(TABLE),
    "audits:list": Reads(("page",)),
    "audits:upload": Reads(form=("schedule",), methods=("POST",)),
    "audits:mapping": Reads(
        form=(
            *("action", "name", "first_name", "last_name", "email", "work_date"),
            *("period_from", "period_to", "amount", "include_unreadable"),
        ),
        methods=("POST",),
    ),
    "audits:result": Reads(("status", "q", "contractor", "page")),
    "audits:packet": Reads(),
    "audits:decide": Reads(form=("choice", "next")),
    "audits:rerun": Reads(),
    "audits:estimate": Reads(form=("payroll_share", "class_rate")),
    "activity:facility": Reads(ACTIVITY),
    "activity:facility_export": Reads(ACTIVITY),
    "notifications:settings": Reads(
        form=("weekly_digest", "certificate_changes"), methods=("POST",)
    ),
    "notifications:unsubscribe": Reads(form=("List-Unsubscribe",), methods=("GET",)),
    "partner_api:api:openapi-json": Reads(),
    "partner_api:api:openapi-view": Reads(),
    "partner_api:api_guide": Reads(),
    "partner_api:api:api-root": Reads(),
    "partner_api:api_not_found": Reads(),
    "partner_api:console": Reads(),
    "partner_api:console_facility": Reads(),
    "partner_api:console_bulk_download": Reads(form=("enabled", "next")),
    "partner_api:console_invite": Reads(form=("email", "name", "role")),
    "partner_api:console_revoke_invitation": Reads(),
    "partner_api:console_remove_member": Reads(),
    "partner_api:console_program": Reads(),
    "partner_api:console_representative": Reads(
        form=("representative_name", "representative_title")
    ),
    "partner_api:console_coverage_line": Reads(),
    "partner_api:console_coverage_line_save": Reads(form=TERM_FORM),
    "partner_api:console_keys": Reads(),
    "partner_api:console_key_create": Reads(form=("name", "partner")),
    "partner_api:console_key_revoke": Reads(),
    "partner_api:console_webhooks": Reads(),
    "partner_api:console_webhook_create": Reads(form=("url", "description", "events", "partner")),
    "partner_api:console_webhook": Reads(("before",)),
    "partner_api:console_webhook_save": Reads(form=("url", "description", "events")),
    "partner_api:console_webhook_enabled": Reads(form=("enabled",)),
    "partner_api:console_webhook_rotate": Reads(form=("overlap_hours",)),
    "partner_api:console_webhook_delete": Reads(methods=("GET",)),
    "partner_api:console_webhook_redeliver": Reads(form=("before",)),
    "partner_api:console_activity": Reads(ACTIVITY),
    "partner_api:console_activity_export": Reads(ACTIVITY),
    # Single sign-on: the provider's answer (tests/sso run the real exchange), and set-up.
    "sso:callback": Reads(("state", "code", "error", "iss")),
    "sso:email_link": Reads(form=("email", "next")),
    "sso:console": Reads(),
    "sso:console_save": Reads(form=SSO_FORM),
    "sso:facility": Reads(),
    "sso:facility_save": Reads(form=SSO_FORM),
    "healthz": Reads(),
    "readyz": Reads(),
}
# Django's admin: what its changelists, forms and the login read (only operators get past
# the login; every other principal must still get a clean answer).
ADMIN_READS = Reads(("q", "o", "p", "e", "all", "_changelist_filters", "next", "id__exact"))


def _openapi() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The partner API's parameters by operation name (``list_facilities``…), from OpenAPI."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for operations in api.get_openapi_schema()["paths"].values():
        for operation in operations.values():
            name = operation["operationId"]
            found[name] = {"query": [], "header": []}
            for parameter in operation.get("parameters", []):
                found[name].setdefault(parameter["in"], []).append(parameter)
    return found


OPENAPI = _openapi()


def api_reads(key: str) -> Reads | None:
    name = key.removeprefix("partner_api:api:")
    for operation_id, parameters in OPENAPI.items():
        if operation_id.endswith("_" + name):
            return Reads(
                query=tuple(p["name"] for p in parameters["query"]),
                form=tuple("header:" + p["name"] for p in parameters["header"]),
            )
    return None


def reads_for(found: Found) -> Reads | None:
    if found in ADMIN:
        return ADMIN_READS
    return api_reads(found.key) if found.methods else READS.get(found.key)


def test_every_pattern_has_a_strategy():
    missing = sorted(f.key for f in SITE if reads_for(f) is None)
    assert not missing, f"URL patterns without a strategy in READS: {missing}"
    stale = sorted(set(READS) - {f.key for f in SITE})
    assert not stale, f"READS rows for patterns that no longer exist: {stale}"
    assert all(f.key in RULES for f in SITE)
    assert len(SITE) > 50 and len(ADMIN) > 50


# --- requests ------------------------------------------------------------------------------


def plausible(world: World) -> dict[str, list[str]]:
    """Values a view accepts, mixed in so that hostile ones meet valid neighbours."""
    return {
        "sort": ["name", "effective", "end"],
        "dir": ["asc", "desc"],
        "status": ["current", "void", "covered", "not_covered", "ambiguous"],
        "preset": ["last_6_months", "this_year", "last_year"],
        "verb": ["signed_in", "viewed", "exported"],
        "facility": [str(world.facility.pk), "FAC-MAIN"],
        "facilities": [str(world.facility.pk)],
        "partner": [str(world.partner.pk)],
        "contractor": ["1", str(world.assignment.contractor_id)],
        "page": ["1", "2", "last"],
        "limit": ["1", "100"],
        "action": ["preview", "run", "discard"],
        "role": ["member", "primary"],
        "enabled": ["1", "0"],
        "email": ["x@example.com"],
        "next": ["/facilities/", "//evil.example/", "https://evil.example/", "list"],
        "number": [world.certificate.number],
    }


def value(name: str, world: World) -> st.SearchStrategy[str]:
    text = TEXT
    if name in ("after", "before", "cursor"):
        text = st.one_of(CURSOR, TEXT)
    if name in plausible(world):
        text = st.one_of(st.sampled_from(plausible(world)[name]), text)
    return fragment(text)


# A path converter's hostile values; regular-expression groups get values matching them.
INTS = st.one_of(
    st.sampled_from(["0", "00", "007", str(2**31), str(2**63 - 1), str(2**63), str(10**100)]),
    st.sampled_from(["9" * 4301, "1" * 20]),
    st.integers(min_value=0, max_value=2**80).map(str),
)
CONVERTERS: dict[str, st.SearchStrategy[str]] = {
    "int": INTS,
    "str": fragment(TEXT).filter(lambda s: s and "/" not in s),
    "path": fragment(TEXT),
    "uuid": st.one_of(st.uuids().map(str), st.just("00000000-0000-0000-0000-000000000000")),
}
GROUP = re.compile(
    r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>(?P<regex>(?:[^()]|\([^()]*\))*)\)"
)


def valid_url(found: Found, world: World) -> str:
    return _concrete(found.route) if found in ADMIN else RULES[found.key].url(world)


def _valid_values(found: Found, world: World) -> dict[str, str]:
    return {
        k: encoded(str(v))
        for k, v in resolve(urlsplit(valid_url(found, world)).path).kwargs.items()
    }


def path_strategy(found: Found, world: World) -> st.SearchStrategy[str]:
    """The pattern's address with each path value either the valid one or a hostile one."""
    if not GROUP.search(found.route):
        return st.just(urlsplit(valid_url(found, world)).path)
    valid = _valid_values(found, world)
    values: dict[str, st.SearchStrategy[str]] = {}
    for match in GROUP.finditer(found.route):
        name = match["name"] or match["rname"]
        if match["regex"] is not None:
            hostile = st.from_regex(match["regex"], fullmatch=True).map(encoded)
        else:
            hostile = CONVERTERS[match["converter"] or "str"]
        values[name] = st.one_of(st.just(valid.get(name, "1")), hostile)
    return st.fixed_dictionaries(values).map(lambda drawn: with_path_values(found, drawn))


def with_path_values(found: Found, values: dict[str, str]) -> str:
    """The pattern's address with ``values`` (already encoded) in its place holders."""
    out: list[str] = []
    position = 0
    for match in GROUP.finditer(found.route):
        out += [
            _literal(found.route[position : match.start()]),
            values[match["name"] or match["rname"]],
        ]
        position = match.end()
    return "/" + "".join([*out, _literal(found.route[position:])])


def _literal(regex_text: str) -> str:
    return re.sub(r"\\(.)", r"\1", regex_text.replace("^", "").replace("$", ""))


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: str
    form: str
    headers: dict[str, str]

    def __str__(self) -> str:
        return f"{self.method} {self.path}?{self.query} form={self.form!r} {self.headers}"


# Header values as a WSGI server delivers them: bytes read as latin-1, no line breaks.
HEADER = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=300),
    st.sampled_from(["", "x" * 5000, *(t for t in UNICODE_DIGITS + EXTREME_DATES + WORDS)]).map(
        lambda text: text.encode().decode("latin-1")
    ),
)


def call_strategy(found: Found, world: World) -> st.SearchStrategy[Call]:
    reads = reads_for(found)
    assert reads is not None
    rule_method = RULES[found.key].method if found.key in RULES else "GET"
    methods = [rule_method, *reads.methods]
    headers = [name.removeprefix("header:") for name in reads.form if name.startswith("header:")]
    fields = [name for name in reads.form if not name.startswith("header:")]

    def pairs(names: list[str]) -> st.SearchStrategy[str]:
        if not names:
            return st.just("")
        pair = st.sampled_from([*names, "x"]).flatmap(
            lambda n: st.tuples(st.just(n), value(n, world))
        )
        return st.lists(pair, max_size=6).map(
            lambda items: "&".join(f"{encoded(k)}={v}" for k, v in items)
        )

    return st.builds(
        Call,
        method=st.sampled_from(methods),
        path=path_strategy(found, world),
        query=pairs(list(reads.query)),
        form=pairs(fields),
        headers=st.fixed_dictionaries({h: HEADER for h in headers}),
    )


def _client(world: World, principal: str):
    """The principal's client, with the cookies it started with (a sign-out drops them)."""
    client = world.clients[principal]
    client.cookies = copy.deepcopy(world.cookies[principal])
    return client


def send(world: World, principal: str, found: Found, call: Call) -> int:
    """Make the call as ``principal`` in a rolled-back savepoint; return the status."""
    client = _client(world, principal)
    url = call.path + (f"?{call.query}" if call.query else "")
    headers = {f"HTTP_{name.upper().replace('-', '_')}": v for name, v in call.headers.items()}
    rule = RULES.get(found.key)
    cache.clear()  # rate limits would answer 429 before the view reads anything
    with transaction.atomic():
        if call.method in ("PUT", "POST") and rule is not None and rule.json:
            body = json.dumps(rule.body(world) if rule.body else {})
            response = client.generic(call.method, url, body, "application/json", **headers)
        elif call.method in ("POST", "PUT", "DELETE"):
            response = client.generic(
                call.method, url, call.form, "application/x-www-form-urlencoded", **headers
            )
        else:
            response = client.generic(call.method, url, **headers)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # errors while streaming count too
        transaction.set_rollback(True)
    return response.status_code


def never_a_server_error(world: World, found: Found, call: Call) -> None:
    for principal in PRINCIPALS:
        try:
            status = send(world, principal, found, call)
        except Exception as exc:  # the test client re-raises what the view raised
            raise AssertionError(f"{principal} {call}: {exc!r}") from exc
        assert status < 500, f"{principal} {call}: {status}"


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("found", SITE, ids=lambda f: f.key)
@EXAMPLES
@given(data=st.data())
def test_no_value_in_any_request_causes_a_server_error(shared_world, found, data):
    never_a_server_error(shared_world, found, data.draw(call_strategy(found, shared_world)))


@pytest.mark.slow
@EXAMPLES
@given(data=st.data())
def test_no_value_in_an_admin_request_causes_a_server_error(shared_world, data):
    found = data.draw(st.sampled_from(ADMIN))
    never_a_server_error(shared_world, found, data.draw(call_strategy(found, shared_world)))


# --- every id in a path, out of range ----------------------------------------------------------


@pytest.mark.slow
def test_no_id_in_a_path_out_of_range_causes_a_server_error(shared_world):
    """Each ``<int:…>`` of every pattern, alone, set to a number no database column holds."""
    world = shared_world
    failures = []
    for found in SITE:
        ints = [m["name"] for m in GROUP.finditer(found.route) if m["converter"] == "int"]
        for name in ints:
            for huge in (str(2**63), str(10**100)):
                path = with_path_values(found, {**_valid_values(found, world), name: huge})
                call = Call(RULES[found.key].method, path, "", "", {})
                failures += [_answer(world, who, call, found) for who in PRINCIPALS]
    failures = [f for f in failures if f]
    assert not failures, f"{len(failures)} server errors, e.g.:\n" + "\n".join(
        f[:300] for f in failures[:10]
    )


# --- headers -------------------------------------------------------------------------------

HEADER_NAMES: tuple[str, ...] = (
    "Authorization",
    "Cookie",
    "If-None-Match",
    "If-Modified-Since",
    "Range",
)
HEADER_NAMES += ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID", "Idempotency-Key")
HEADER_PATHS = (
    "/facilities/{fac}/certificates/",
    "/facilities/{fac}/certificates/{number}/",
    "/api/v1/assignments",
    "/api/v1/certificates/{number}/pdf",
    "/sign-in/",
    "/verify/",
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), HEADER, min_size=1, max_size=4),
    proxies=st.integers(0, 2),
)
def test_no_header_value_causes_a_server_error(shared_world, data, headers, proxies):
    world = shared_world
    address = data.draw(st.sampled_from(HEADER_PATHS))
    path = address.format(fac=world.facility.pk, number=world.certificate.number)
    found = Found("headers", path, ())
    with override_settings(TRUSTED_PROXY_COUNT=proxies, FORWARDED_ALLOW_IPS=["127.0.0.1"]):
        never_a_server_error(world, found, Call("GET", path, "", "", headers))


# --- page cursors the hub made, with one value replaced --------------------------------------

CURSOR_PARAMS = ("after", "before", "cursor")
DIRECTIONS = ("asc", "desc")
PAGED = [  # (principal, address of a first page with a link to the next)
    *[("member", f"{{fac}}/certificates/?sort={s}&dir={d}") for s in SORTS for d in DIRECTIONS],
    ("primary", "{fac}/activity/"),
    ("staff", "/partner/activity/"),
    *[("key", f"/api/v1/{what}?limit=1") for what in ("facilities", "contractors", "assignments")],
]


@dataclass(frozen=True)
class Link:
    principal: str
    path: str
    params: tuple[tuple[str, str], ...]  # the query string, cursor included


def _links(world: World, principal: str, address: str) -> list[Link]:
    response = _client(world, principal).get(address.format(fac=f"/facilities/{world.facility.pk}"))
    assert response.status_code == 200, address
    path = urlsplit(address).path.format(fac=f"/facilities/{world.facility.pk}")
    if response["Content-Type"].startswith("application/json"):
        cursor = response.json()["next_cursor"]
        assert cursor, address
        query = [*parse_qsl(urlsplit(address).query), ("cursor", cursor)]
        return [Link(principal, path, tuple(query))]
    hrefs = re.findall(r'href="([^"]*[?&](?:after|before)=[^"]*)"', unescape(response.text))
    assert hrefs, f"{address}: no link to another page"
    return [Link(principal, path, tuple(parse_qsl(urlsplit(href).query))) for href in hrefs]


@pytest.fixture(scope="module")
def page_links(shared_world) -> list[Link]:
    """More than a page of assignments and activity, and the page links the hub made for them."""
    world = shared_world
    jane = world.assignment.contractor
    factories.facility(world.partner, name="Second Site")
    factories.contractor(world.partner, "John", "Roe")
    for day in range(60):
        factories.assignment(world.facility, jane, date(2025, 1, 1) + timedelta(days=day))
    Activity.objects.bulk_create(
        Activity(
            verb=Activity.Verb.VIEWED,
            actor=world.primary,
            actor_label=world.primary.email,
            facility=world.facility,
            partner_id=world.partner.pk,
            target=f"CH-{i}",
        )
        for i in range(60)
    )
    return [link for principal, address in PAGED for link in _links(world, principal, address)]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _leaves(item, (*path, i))]
    if isinstance(value, dict):
        return [p for k, item in value.items() for p in _leaves(item, (*path, k))]
    return [path]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(value)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copied


def _decoded(link: Link) -> tuple[str, Any]:
    """The link's cursor parameter and its JSON (``None`` if it is not base64 JSON any more)."""
    name, token = next((k, v) for k, v in link.params if k in CURSOR_PARAMS)
    try:
        return name, json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        return name, None


def _with_cursor(link: Link, name: str, cursor: str) -> Call:
    query = "&".join(f"{encoded(k)}={encoded(cursor if k == name else v)}" for k, v in link.params)
    return Call("GET", link.path, query, "", {})


@st.composite
def tampered(draw: st.DrawFn, links: list[Link]) -> tuple[Link, Call]:
    """A real page link whose cursor has one value replaced by a hostile one."""
    link = draw(st.sampled_from(links))
    name, decoded = _decoded(link)
    if decoded is None:  # not base64 JSON: replace the whole cursor
        return link, _with_cursor(link, name, draw(CURSOR))
    where = draw(st.sampled_from(_leaves(decoded)))
    return link, _with_cursor(link, name, _b64(_replace(decoded, where, draw(ATOM))))


def _answer(world: World, principal: str, call: Call, found: Found | None = None) -> str | None:
    """What went wrong with ``call`` (``None``: an answer below 500)."""
    try:
        status = send(world, principal, found or Found("cursor", call.path, ()), call)
    except Exception as exc:
        return f"{principal} {call}: {exc!r}"
    return None if status < 500 else f"{principal} {call}: {status}"


@pytest.mark.slow
def test_no_hostile_value_in_any_place_of_a_page_cursor_causes_a_server_error(
    shared_world, page_links
):
    """Every place of every kind of page cursor, with each value that once broke a query."""
    failures = []
    for link in page_links:
        name, decoded = _decoded(link)
        assert decoded is not None, "cursors are no longer base64 JSON: update this test"
        for where in _leaves(decoded):
            for hostile in HOSTILE_JSON:
                call = _with_cursor(link, name, _b64(_replace(decoded, where, hostile)))
                failures.append(_answer(shared_world, link.principal, call))
    failures = [f for f in failures if f]
    assert not failures, f"{len(failures)} server errors, e.g.:\n" + "\n".join(
        f[:300] for f in failures[:10]
    )


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_value_inside_a_page_cursor_causes_a_server_error(shared_world, page_links, data):
    link, call = data.draw(tampered(page_links))
    failure = _answer(shared_world, link.principal, call)
    assert failure is None, failure


def test_the_page_links_were_found(page_links):
    """Every paged view gave links to work from (the test above would otherwise be empty)."""
    assert {link.path.rsplit("/", 2)[-2] for link in page_links} >= {"certificates", "activity"}
    assert sum(link.principal == "key" for link in page_links) == 3


# --- what was found, kept as fixed cases -----------------------------------------------------

KNOWN = [
    # A non-ASCII digit where a facility id is expected.
    lambda w: f"/facilities/switch/?facility={encoded('²')}",
    lambda w: f"/facilities/switch/?facility={'9' * 5000}",
    lambda w: f"/partner/activity/?facility={encoded('٣')}",
    # NUL and a lone surrogate inside a certificate table cursor (sorted by name).
    lambda w: (
        f"/facilities/{w.facility.pk}/certificates/?sort=name&after="
        + _b64(["name", "asc", "\x00", 1])
    ),
    lambda w: (
        f"/facilities/{w.facility.pk}/certificates/?sort=name&before="
        + _b64(["name", "asc", "\ud800", 1])
    ),
    lambda w: (
        f"/facilities/{w.facility.pk}/certificates/?after="
        + _b64(["effective", "desc", "0001-01-01", 2**63 - 1])
    ),
    # Out-of-range moments inside activity and API cursors.
    lambda w: (
        f"/facilities/{w.facility.pk}/activity/?after=" + _b64(["0001-01-01T00:00:00+14:00", 1])
    ),
    lambda w: "/partner/activity/?before=" + _b64(["9999-12-31T23:59:59.999999-14:00", 1]),
    lambda w: "/api/v1/assignments?cursor=" + _b64(["0001-01-01T00:00:00+14:00", 1]),
    lambda w: "/api/v1/facilities?cursor=" + _b64(["9999-12-31T23:59:59-14:00", 1]),
    lambda w: f"/api/v1/contractors?cursor={_b64(['2026-01-01T00:00:00+00:00', 2**63])}",
    lambda w: f"/api/v1/assignments?updated_since={encoded('0001-01-01T00:00:00+14:00')}",
    lambda w: "/api/v1/assignments?facility=" + encoded("\x00"),
]


@pytest.mark.parametrize("make_url", KNOWN, ids=range(len(KNOWN)))
def test_values_that_once_caused_a_server_error(shared_world, make_url):
    url = make_url(shared_world)
    path, _, query = url.partition("?")
    found = Found("known", path, ())
    never_a_server_error(shared_world, found, Call("GET", path, query, "", {}))
