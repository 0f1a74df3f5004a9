"""Who may use which address: every URL pattern of the site and the API, for every principal.

The patterns come from Django's URL resolver (django-ninja's operations included), so a view
added later is found here. A pattern without a row in ``RULES`` fails
``test_every_url_pattern_declares_its_access_rule`` until its access rule is written down.

Each rule names, for each principal of tests/security/conftest.py, the answer it must get:
a status, or ``SIGN_IN`` (a redirect to the sign-in page). A write also names the side effect
it has, which must happen only for the principals allowed to make it. Each principal's request
runs in a savepoint that is rolled back, so all of them meet the same starting state.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from webauthn.helpers import bytes_to_base64url

from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.audits.models import Reconciliation, RowDecision
from compliance_hub.certificates.documents import verify_url
from compliance_hub.certificates.models import Assignment
from compliance_hub.facilities.models import (
    CoverageLine,
    Facility,
    Invitation,
    Membership,
    Partner,
    PartnerStaff,
)
from compliance_hub.notifications.links import unsubscribe_token
from compliance_hub.notifications.models import Preferences
from compliance_hub.partner_api.api.app import api
from compliance_hub.partner_api.models import ApiKey
from compliance_hub.passkeys.models import Passkey
from compliance_hub.sso.models import IdentityProvider
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.security.conftest import PRINCIPALS, World

# The database marker makes pytest-django create the test database; the world itself is built
# once per module (``shared_world``) and each request runs in a rolled-back savepoint.
pytestmark = pytest.mark.django_db

SIGN_IN = "sign-in"  # 302 to /sign-in/?next=…
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/?next=…
SESSIONS = ("outsider", "member", "primary", "staff", "other_staff", "operator")

Expect = int | str
Url = Callable[[World], str]


@dataclass(frozen=True)
class Rule:
    method: str
    url: Url
    expect: dict[str, Expect]
    body: Callable[[World], dict[str, Any]] | None = None
    json: bool = False
    # A write: ``changed(world)`` is true once it took effect; only ``allowed`` may cause it.
    changed: Callable[[World], bool] | None = None
    allowed: frozenset[str] = frozenset()
    # A 2xx answer to anyone outside ``sees`` must not contain these (world -> strings).
    sees: frozenset[str] = frozenset()
    extra: tuple[Rule, ...] = field(default=())


def _all(value: Expect, **overrides: Expect) -> dict[str, Expect]:
    return {p: overrides.get(p, value) for p in PRINCIPALS}


def public(method: str, url: Url, status: int | str, **kw: Any) -> Rule:
    """No sign-in: everyone gets the same answer."""
    return Rule(method, url, _all(status), **kw)


def facility_page(
    method: str,
    url: Url,
    ok: Expect,
    *,
    member: Expect | None = None,
    primary: Expect | None = None,
    auditor: Expect = 404,
    **kw: Any,
) -> Rule:
    """A page of one facility: its members only; anyone else signed in gets 404. The
    facility's auditor only where ``auditor`` says (their audit period, shared audits)."""
    expect = _all(404, anonymous=SIGN_IN, key=SIGN_IN, other_key=SIGN_IN)
    expect["member"] = ok if member is None else member
    expect["primary"] = ok if primary is None else primary
    expect["auditor"] = auditor
    readers = {"member", "primary"} | ({"auditor"} if auditor in (200, 302) else set())
    kw.setdefault("sees", frozenset(readers))
    return Rule(method, url, expect, **kw)


def console_page(method: str, url: Url, ok: Expect, *, other_staff: Expect = 404, **kw: Any):
    """The partner console: that partner's staff only; facility people get 404 too."""
    expect = _all(404, anonymous=SIGN_IN, key=SIGN_IN, other_key=SIGN_IN)
    expect["staff"] = ok
    expect["other_staff"] = other_staff
    kw.setdefault("sees", frozenset({"staff"}))
    return Rule(method, url, expect, **kw)


def api_call(method: str, url: Url, ok: int, *, other_key: int = 404, **kw: Any) -> Rule:
    """The partner API: a key is the only way in; a session is not."""
    expect = _all(401, key=ok, other_key=other_key)
    kw.setdefault("sees", frozenset({"key"}))
    return Rule(method, f_api(url), expect, json=method in ("PUT", "POST", "PATCH"), **kw)


def f_api(url: Url) -> Url:
    return lambda w: "/api/v1" + url(w)


def fac(w: World) -> str:
    return f"/facilities/{w.facility.pk}"


def _revoked(membership_pk: int) -> bool:
    return Membership.objects.get(pk=membership_pk).revoked_at is not None


def _victim_removed(w: World) -> bool:
    return _revoked(w.victim.pk)


def _invitation_revoked(w: World) -> bool:
    return Invitation.objects.get(pk=w.invitation.pk).revoked_at is not None


def _invited(w: World) -> bool:
    return Invitation.objects.filter(email="x@example.com").exists()


def _line(w: World) -> CoverageLine:
    return CoverageLine.objects.filter(partner=w.partner).earliest("id")


def _webhook(w: World) -> WebhookEndpoint:
    return WebhookEndpoint.objects.get(pk=w.webhook.pk)


def _assignment(w: World) -> Assignment:
    return Assignment.objects.get(pk=w.assignment.pk)


ASSIGNMENT_BODY = {
    "facility": "FAC-MAIN",
    "contractor": "C-JANE",
    "effective_date": "2026-03-01",
    "end_date": "2026-03-20",
    "description": "Changed",
}


def signed_in_any(value: Expect, **overrides: Expect) -> dict[str, Expect]:
    """Any signed-in person gets ``value`` (with ``overrides``); API keys and anonymous
    visitors are sent to sign in."""
    return _all(value, anonymous=SIGN_IN, key=SIGN_IN, other_key=SIGN_IN, **overrides)


def _passkey(person: Any) -> Passkey:
    """A passkey of ``person`` (made the first time a rule's address names it)."""
    passkey, _ = Passkey.objects.get_or_create(
        credential_id=bytes_to_base64url(f"matrix-{person.pk}".encode()),
        defaults={
            "person": person,
            "public_key": b"-",
            "user_handle": bytes_to_base64url(b"handle"),
            "name": "Phone",
        },
    )
    return passkey


SSO_BODY = {
    "issuer": "https://login.example.org",
    "client_id": "hub",
    "client_secret": "secret",
    "enabled": "on",
}

# --- the table: one row per named URL pattern --------------------------------------------

RULES: dict[str, Rule] = {
    # Home: sends each person where they belong.
    "home": Rule(
        "GET",
        lambda w: "/",
        _all(
            302,
            anonymous="/sign-in/",
            key="/sign-in/",
            other_key="/sign-in/",
            outsider="/facilities/",
            member="/facilities/",
            primary="/facilities/",
            staff="/partner/",
            other_staff="/partner/",
            operator="/admin/",
            auditor="/facilities/",  # the audited facility's certificates
        ),
    ),
    # Sign-in: public by nature; the answers do not depend on who asks. A made-up link
    # token is answered at once (410), storing nothing.
    "accounts:sign_in": public("GET", lambda w: "/sign-in/", 200),
    "accounts:sign_in_sent": public("GET", lambda w: "/sign-in/sent/", 200),
    "accounts:sign_in_code": public("POST", lambda w: "/sign-in/code/", 400),
    "accounts:sign_in_confirm": public("GET", lambda w: "/sign-in/confirm/", 410),
    "accounts:sign_in_renew": public("POST", lambda w: "/sign-in/renew/", "/sign-in/sent/"),
    "accounts:sign_in_link": public("GET", lambda w: "/sign-in/" + "x" * 43 + "/", 410),
    "accounts:sign_out": public("POST", lambda w: "/sign-out/", 302),
    "accounts:sign_out_everywhere": public("POST", lambda w: "/sign-out/everywhere/", 302),
    # Passkeys: one's own (another's passkey id is a 404); the ceremonies answer JSON.
    "passkeys:list": Rule("GET", lambda w: "/passkeys/", signed_in_any(200)),
    "passkeys:register_options": Rule(
        "POST", lambda w: "/passkeys/register/options/", signed_in_any(200)
    ),
    "passkeys:register": Rule("POST", lambda w: "/passkeys/register/", signed_in_any(400)),
    "passkeys:rename": Rule(
        "POST",
        lambda w: f"/passkeys/{_passkey(w.member).pk}/rename/",
        signed_in_any(404, member=302),
        body=lambda w: {"name": "Renamed"},
        changed=lambda w: Passkey.objects.filter(person=w.member, name="Renamed").exists(),
        allowed=frozenset({"member"}),
    ),
    "passkeys:remove": Rule(
        "POST",
        lambda w: f"/passkeys/{_passkey(w.member).pk}/remove/",
        signed_in_any(404, member=302),
        changed=lambda w: not Passkey.objects.filter(person=w.member).exists(),
        allowed=frozenset({"member"}),
    ),
    # Nobody in the world's organisations requires a passkey: the step sends everyone on.
    "passkeys:required": Rule("GET", lambda w: "/passkeys/required/", signed_in_any("/")),
    "passkeys:confirm_options": Rule(
        "POST",
        lambda w: (_passkey(w.member), "/passkeys/confirm/options/")[1],
        signed_in_any(409, member=200),
    ),
    "passkeys:confirm": Rule("POST", lambda w: "/passkeys/confirm/", signed_in_any(400)),
    "passkeys:sign_in_options": public("POST", lambda w: "/sign-in/passkey/options/", 200),
    "passkeys:sign_in": public("POST", lambda w: "/sign-in/passkey/", 400),
    "passkeys:team_policy": facility_page(
        "POST",
        lambda w: f"{fac(w)}/team/sign-in-policy/",
        302,
        member=403,
        body=lambda w: {"required": "1"},
        changed=lambda w: Facility.objects.get(pk=w.facility.pk).require_strong_sign_in,
        allowed=frozenset({"primary"}),
    ),
    "passkeys:team_reset": facility_page(
        "POST",
        lambda w: (
            (_passkey(w.victim.person), f"{fac(w)}/team/members/{w.victim.pk}/")[1]
            + "reset-passkeys/"
        ),
        302,
        member=403,
        changed=lambda w: not Passkey.objects.filter(person=w.victim.person).exists(),
        allowed=frozenset({"primary"}),
    ),
    "passkeys:console_staff": console_page(
        "GET", lambda w: "/partner/sign-in/", 200, other_staff=200
    ),
    "passkeys:console_partner_policy": console_page(
        "POST",
        lambda w: f"/partner/sign-in/{w.partner.pk}/policy/",
        302,
        body=lambda w: {"required": "1"},
        changed=lambda w: Partner.objects.get(pk=w.partner.pk).require_strong_sign_in,
        allowed=frozenset({"staff"}),
    ),
    "passkeys:console_staff_reset": console_page(
        "POST",
        lambda w: (
            (_passkey(w.staff), "/partner/sign-in/staff/")[1]
            + f"{PartnerStaff.objects.get(person=w.staff).pk}/reset-passkeys/"
        ),
        302,
        changed=lambda w: not Passkey.objects.filter(person=w.staff).exists(),
        allowed=frozenset({"staff"}),
    ),
    "passkeys:console_facility_policy": console_page(
        "POST",
        lambda w: f"/partner/facilities/{w.facility.pk}/sign-in-policy/",
        302,
        body=lambda w: {"required": "1"},
        changed=lambda w: Facility.objects.get(pk=w.facility.pk).partner_requires_strong_sign_in,
        allowed=frozenset({"staff"}),
    ),
    "passkeys:console_member_reset": console_page(
        "POST",
        lambda w: (
            (_passkey(w.victim.person), f"/partner/facilities/{w.facility.pk}/")[1]
            + f"members/{w.victim.pk}/reset-passkeys/"
        ),
        302,
        changed=lambda w: not Passkey.objects.filter(person=w.victim.person).exists(),
        allowed=frozenset({"staff"}),
    ),
    # Team pages: members see and invite; only primary contacts remove others.
    "facilities:overview": facility_page("GET", lambda w: f"{fac(w)}/", 200),
    "facilities:team": facility_page("GET", lambda w: f"{fac(w)}/team/", 200),
    "facilities:team_invite": facility_page(
        "POST",
        lambda w: f"{fac(w)}/team/invite/",
        302,
        body=lambda w: {"email": "x@example.com", "role": "member", "facilities": [w.facility.pk]},
        changed=_invited,
        allowed=frozenset({"member", "primary"}),
    ),
    "facilities:team_leave": facility_page("POST", lambda w: f"{fac(w)}/team/leave/", 302),
    "facilities:team_remove": facility_page(
        "POST",
        lambda w: f"{fac(w)}/team/members/{w.victim.pk}/remove/",
        302,
        changed=_victim_removed,
        allowed=frozenset({"primary"}),
    ),
    "facilities:team_resend": facility_page(
        "POST", lambda w: f"{fac(w)}/team/invitations/{w.invitation.pk}/resend/", 302
    ),
    "facilities:team_revoke": facility_page(
        "POST",
        lambda w: f"{fac(w)}/team/invitations/{w.invitation.pk}/revoke/",
        302,
        changed=_invitation_revoked,
        allowed=frozenset({"primary"}),
    ),
    # Accepting an invitation: the token is the credential; a made-up one opens nothing.
    "facilities:invitation_accept": public("GET", lambda w: "/invitations/accept/", 410),
    "facilities:invitation_renew": public("POST", lambda w: "/invitations/renew/", 302),
    "facilities:invitation_renewed": public("GET", lambda w: "/invitations/renewed/", 200),
    "facilities:invitation_declined": public("GET", lambda w: "/invitations/declined/", 200),
    "facilities:invitation_decline": public(
        "POST", lambda w: "/invitations/decline/", 410, changed=_invitation_revoked
    ),
    # Signed in: the invitations addressed to oneself. The world's is to an address no
    # principal has, so everyone signed in gets an empty list and a 404 when answering it.
    "facilities:pending": Rule(
        "GET",
        lambda w: "/invitations/",
        _all(200, anonymous=SIGN_IN, key=SIGN_IN, other_key=SIGN_IN),
    ),
    "facilities:pending_accept": Rule(
        "POST",
        lambda w: f"/invitations/{w.invitation.pk}/accept/",
        _all(404, anonymous=SIGN_IN, key=SIGN_IN, other_key=SIGN_IN),
        changed=lambda w: Invitation.objects.get(pk=w.invitation.pk).accepted_at is not None,
    ),
    "facilities:pending_decline": Rule(
        "POST",
        lambda w: f"/invitations/{w.invitation.pk}/decline/",
        _all(404, anonymous=SIGN_IN, key=SIGN_IN, other_key=SIGN_IN),
        changed=_invitation_revoked,
    ),
    "facilities:invitation_link": public("GET", lambda w: "/invitations/" + "x" * 43 + "/", 410),
    # The certificate table and its downloads.
    # The auditor too: the world's assignment is active during their audit period.
    "certificates:switch": facility_page(
        "GET", lambda w: f"/facilities/switch/?facility={w.facility.pk}", 302, auditor=302
    ),
    "certificates:table": facility_page(
        "GET", lambda w: f"{fac(w)}/certificates/", 200, auditor=200
    ),
    "certificates:count": facility_page(
        "GET", lambda w: f"{fac(w)}/certificates/count/", 200, auditor=200
    ),
    "certificates:view": facility_page(
        "GET", lambda w: f"{fac(w)}/certificates/{w.certificate.number}/", 200, auditor=200
    ),
    "certificates:download": facility_page(
        "GET",
        lambda w: f"{fac(w)}/certificates/{w.certificate.number}/download/",
        200,
        auditor=200,
    ),
    "certificates:original": facility_page(
        "GET",
        lambda w: f"{fac(w)}/certificates/{w.certificate.number}/original/",
        200,
        auditor=200,
    ),
    "certificates:history": facility_page(
        "GET", lambda w: f"{fac(w)}/assignments/{w.assignment.pk}/", 200, auditor=200
    ),
    "certificates:export_csv": facility_page(
        "GET", lambda w: f"{fac(w)}/certificates/export.csv", 200, auditor=200
    ),
    "certificates:export_xlsx": facility_page(
        "GET", lambda w: f"{fac(w)}/certificates/export.xlsx", 200, auditor=200
    ),
    # Bulk download is off until the partner turns it on: members and auditors are told so.
    "certificates:bulk_download": facility_page(
        "GET", lambda w: f"{fac(w)}/certificates/bulk.zip", 403, auditor=403
    ),
    # Public verification: exactly what the certificate states, to anyone holding it.
    "certificates:verify": public(
        "GET", lambda w: verify_url(w.certificate).split("testserver", 1)[-1], 200
    ),
    "certificates:verify_form": public("GET", lambda w: "/verify/", 200),
    # Audits: members of the facility; a pending upload is its uploader's own.
    "audits:list": facility_page("GET", lambda w: f"{fac(w)}/audits/", 200, auditor=200),
    "audits:upload": facility_page("GET", lambda w: f"{fac(w)}/audits/new/", 200),
    "audits:mapping": facility_page(
        "GET", lambda w: f"{fac(w)}/audits/new/{w.upload.token}/", 200, primary=404
    ),
    # The auditor: the world's reconciliation is shared with their grant.
    "audits:result": facility_page(
        "GET", lambda w: f"{fac(w)}/audits/{w.reconciliation.pk}/", 200, auditor=200
    ),
    # Resolving rows, re-running, the exposure estimate: the facility's members (writes).
    "audits:decide": facility_page(
        "POST",
        lambda w: f"{fac(w)}/audits/{w.reconciliation.pk}/rows/2/decide/",
        302,  # row 2 is covered: "needs no decision", nothing saved
        body=lambda w: {"choice": "none"},
        changed=lambda w: RowDecision.objects.exists(),
        allowed=frozenset(),
    ),
    "audits:rerun": facility_page(
        "POST",
        lambda w: f"{fac(w)}/audits/{w.reconciliation.pk}/rerun/",
        302,
        changed=lambda w: Reconciliation.objects.filter(rerun_of=w.reconciliation).exists(),
        allowed=frozenset({"member", "primary"}),
    ),
    "audits:estimate": facility_page(
        "POST",
        lambda w: f"{fac(w)}/audits/{w.reconciliation.pk}/estimate/",
        302,
        body=lambda w: {"payroll_share": "90", "class_rate": "3.5"},
        changed=lambda w: Reconciliation.objects.get(pk=w.reconciliation.pk).class_rate is not None,
        allowed=frozenset({"member", "primary"}),
    ),
    "audits:packet": facility_page(
        "GET", lambda w: f"{fac(w)}/audits/{w.reconciliation.pk}/packet.zip", 200, auditor=200
    ),
    # Auditor access: primary contacts see, give and revoke it; team members are told so.
    "auditors:facility": facility_page(
        "GET", lambda w: f"{fac(w)}/auditors/", 200, member=403, sees=frozenset({"primary"})
    ),
    "auditors:grant": facility_page(
        "POST",
        lambda w: f"{fac(w)}/auditors/grant/",
        302,
        member=403,
        body=lambda w: {
            "email": "bo@audit.example",
            "firm": "Second Audit",
            "period_start": "2025-07-01",
            "period_end": "2026-06-30",
            "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
        changed=lambda w: AuditorGrant.objects.filter(email="bo@audit.example").exists(),
        allowed=frozenset({"primary"}),
    ),
    "auditors:revoke": facility_page(
        "POST",
        lambda w: f"{fac(w)}/auditors/{w.grant.pk}/revoke/",
        302,
        member=403,
        changed=lambda w: AuditorGrant.objects.get(pk=w.grant.pk).revoked_at is not None,
        allowed=frozenset({"primary"}),
    ),
    # The activity log: primary contacts only.
    "activity:facility": facility_page(
        "GET", lambda w: f"{fac(w)}/activity/", 200, member=403, sees=frozenset({"primary"})
    ),
    "activity:facility_export": facility_page(
        "GET",
        lambda w: f"{fac(w)}/activity/export.csv",
        200,
        member=403,
        sees=frozenset({"primary"}),
    ),
    # The partner API.
    "partner_api:api:openapi-json": public("GET", lambda w: "/api/v1/openapi.json", 200),
    "partner_api:api:openapi-view": public("GET", lambda w: "/api/v1/docs", 200),
    "partner_api:api_guide": public("GET", lambda w: "/api/guide/", 200),
    "partner_api:api:api-root": public("GET", lambda w: "/api/v1/", 404),
    "partner_api:api_not_found": public("GET", lambda w: "/api/v1/nothing", 404),
    "partner_api:api:put_facility": api_call(
        "PUT",
        lambda w: "/facilities/FAC-MAIN",
        200,
        other_key=201,  # creates the other partner's own FAC-MAIN
        body=lambda w: {"name": "Renamed"},
        changed=lambda w: Facility.objects.get(pk=w.facility.pk).name == "Renamed",
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:get_facility": api_call("GET", lambda w: "/facilities/FAC-MAIN", 200),
    "partner_api:api:list_facilities": api_call("GET", lambda w: "/facilities", 200, other_key=200),
    "partner_api:api:get_settings": api_call("GET", lambda w: "/facilities/FAC-MAIN/settings", 200),
    "partner_api:api:put_settings": api_call(
        "PUT",
        lambda w: "/facilities/FAC-MAIN/settings",
        200,
        body=lambda w: {"bulk_download_enabled": True},
        changed=lambda w: Facility.objects.get(pk=w.facility.pk).bulk_download_enabled,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:put_contractor": api_call(
        "PUT",
        lambda w: "/contractors/C-JANE",
        200,
        other_key=201,  # the other partner's own C-JANE
        body=lambda w: {"first_name": "Janet", "last_name": "Doe"},
        changed=lambda w: _assignment(w).contractor.first_name == "Janet",
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:get_contractor": api_call("GET", lambda w: "/contractors/C-JANE", 200),
    "partner_api:api:list_contractors": api_call(
        "GET", lambda w: "/contractors", 200, other_key=200
    ),
    "partner_api:api:bulk_upsert": api_call(
        "POST",
        lambda w: "/assignments/bulk",
        200,
        other_key=422,  # FAC-MAIN and C-JANE are not the other partner's
        body=lambda w: {"items": [{**ASSIGNMENT_BODY, "external_id": "A-2"}]},
        changed=lambda w: Assignment.objects.filter(external_id="A-2").exists(),
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:put_assignment": api_call(
        "PUT",
        lambda w: "/assignments/A-1",
        200,
        other_key=422,
        body=lambda w: ASSIGNMENT_BODY,
        changed=lambda w: _assignment(w).end_date.day == 20,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:get_assignment": api_call("GET", lambda w: "/assignments/A-1", 200),
    "partner_api:api:cancel_assignment": api_call(
        "POST",
        lambda w: "/assignments/A-1/cancel",
        200,
        changed=lambda w: _assignment(w).status == Assignment.Status.CANCELLED,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:assignment_certificates": api_call(
        "GET", lambda w: "/assignments/A-1/certificates", 200
    ),
    "partner_api:api:list_assignments": api_call(
        "GET", lambda w: "/assignments", 200, other_key=200
    ),
    "partner_api:api:get_certificate": api_call(
        "GET", lambda w: f"/certificates/{w.certificate.number}", 200
    ),
    "partner_api:api:certificate_pdf": api_call(
        "GET", lambda w: f"/certificates/{w.certificate.number}/pdf", 200
    ),
    "partner_api:api:list_members": api_call("GET", lambda w: "/facilities/FAC-MAIN/members", 200),
    "partner_api:api:remove_member": api_call(
        "DELETE",
        lambda w: f"/facilities/FAC-MAIN/members/{w.victim.pk}",
        204,
        changed=_victim_removed,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:list_invitations": api_call(
        "GET", lambda w: "/facilities/FAC-MAIN/invitations", 200
    ),
    "partner_api:api:invite": api_call(
        "POST",
        lambda w: "/facilities/FAC-MAIN/invitations",
        201,
        body=lambda w: {"email": "x@example.com"},
        changed=_invited,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:revoke_invitation": api_call(
        "DELETE",
        lambda w: f"/facilities/FAC-MAIN/invitations/{w.invitation.pk}",
        204,
        changed=_invitation_revoked,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:get_program": api_call("GET", lambda w: "/program", 200, other_key=200),
    "partner_api:api:put_representative": api_call(
        "PUT",
        lambda w: "/program/representative",
        200,
        other_key=200,  # names the other partner's own representative
        body=lambda w: {"name": "Ann Lee", "title": "Broker"},
        changed=lambda w: Partner.objects.get(pk=w.partner.pk).representative_name == "Ann Lee",
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:put_coverage_terms": api_call(
        "PUT",
        lambda w: f"/program/coverage-lines/{_line(w).pk}",
        200,
        body=lambda w: {"policy_effective": "2026-01-01", "policy_expiry": "2027-01-01"},
        changed=lambda w: _line(w).policy_effective is not None,
        allowed=frozenset({"key"}),
    ),
    # Webhooks: a partner's own endpoints; another partner's endpoint id is a 404.
    "partner_api:api:create_webhook_endpoint": api_call(
        "POST",
        lambda w: "/webhook-endpoints",
        201,
        other_key=201,  # registers the other partner's own endpoint
        body=lambda w: {"url": "http://127.0.0.1:9/new-hook", "events": ["certificate.voided"]},
    ),
    "partner_api:api:list_webhook_endpoints": api_call(
        "GET", lambda w: "/webhook-endpoints", 200, other_key=200
    ),
    "partner_api:api:get_webhook_endpoint": api_call(
        "GET", lambda w: f"/webhook-endpoints/{w.webhook.pk}", 200
    ),
    "partner_api:api:update_webhook_endpoint": api_call(
        "PATCH",
        lambda w: f"/webhook-endpoints/{w.webhook.pk}",
        200,
        body=lambda w: {"enabled": False},
        changed=lambda w: not WebhookEndpoint.objects.get(pk=w.webhook.pk).enabled,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:delete_webhook_endpoint": api_call(
        "DELETE",
        lambda w: f"/webhook-endpoints/{w.webhook.pk}",
        204,
        changed=lambda w: not WebhookEndpoint.objects.filter(pk=w.webhook.pk).exists(),
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:rotate_webhook_secret": api_call(
        "POST",
        lambda w: f"/webhook-endpoints/{w.webhook.pk}/rotate-secret",
        200,
        body=lambda w: {"overlap_hours": 1},
        changed=lambda w: WebhookEndpoint.objects.get(pk=w.webhook.pk).secret != w.webhook.secret,
        allowed=frozenset({"key"}),
    ),
    "partner_api:api:list_events": api_call(
        "GET",
        lambda w: "/events",
        200,
        other_key=200,  # the other partner's own (here: no) events
        sees=frozenset({"key"}),
    ),
    # The partner console: the partner's staff; another partner's staff sees only its own.
    "partner_api:console": console_page("GET", lambda w: "/partner/", 200, other_staff=200),
    "partner_api:console_facility": console_page(
        "GET", lambda w: f"/partner/facilities/{w.facility.pk}/", 200
    ),
    "partner_api:console_bulk_download": console_page(
        "POST",
        lambda w: f"/partner/facilities/{w.facility.pk}/bulk-download/",
        302,
        body=lambda w: {"enabled": "1"},
        changed=lambda w: Facility.objects.get(pk=w.facility.pk).bulk_download_enabled,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_invite": console_page(
        "POST",
        lambda w: f"/partner/facilities/{w.facility.pk}/invite/",
        302,
        body=lambda w: {"email": "x@example.com", "role": "member"},
        changed=_invited,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_revoke_invitation": console_page(
        "POST",
        lambda w: f"/partner/facilities/{w.facility.pk}/invitations/{w.invitation.pk}/revoke/",
        302,
        changed=_invitation_revoked,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_remove_member": console_page(
        "POST",
        lambda w: f"/partner/facilities/{w.facility.pk}/members/{w.victim.pk}/remove/",
        302,
        changed=_victim_removed,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_program": console_page(
        "GET", lambda w: "/partner/program/", 200, other_staff=200
    ),
    "partner_api:console_representative": console_page(
        "POST",
        lambda w: f"/partner/program/{w.partner.pk}/representative/",
        302,
        body=lambda w: {"representative_name": "Ann Lee", "representative_title": "Broker"},
        changed=lambda w: Partner.objects.get(pk=w.partner.pk).representative_name == "Ann Lee",
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_coverage_line": console_page(
        "GET", lambda w: f"/partner/program/lines/{_line(w).pk}/", 200
    ),
    "partner_api:console_coverage_line_save": console_page(
        "POST",
        lambda w: f"/partner/program/lines/{_line(w).pk}/save/",
        302,
        body=lambda w: {"policy_effective": "2026-01-01", "policy_expiry": "2027-01-01"},
        changed=lambda w: _line(w).policy_effective is not None,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_keys": console_page(
        "GET", lambda w: "/partner/keys/", 200, other_staff=200
    ),
    "partner_api:console_key_create": console_page(
        "POST",
        lambda w: "/partner/keys/new/",
        302,  # to the key list, which shows the new key once
        other_staff=400,  # naming another partner is an invalid choice
        body=lambda w: {"name": "x", "partner": str(w.partner.pk)},
        changed=lambda w: ApiKey.objects.filter(partner=w.partner).count() > 1,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_key_revoke": console_page(
        "POST",
        lambda w: f"/partner/keys/{w.key.pk}/revoke/",
        302,
        changed=lambda w: ApiKey.objects.get(pk=w.key.pk).revoked_at is not None,
        allowed=frozenset({"staff"}),
    ),
    # Webhooks in the console: the partner's endpoints (``w.webhook``) and their deliveries.
    "partner_api:console_webhooks": console_page(
        "GET", lambda w: "/partner/webhooks/", 200, other_staff=200
    ),
    "partner_api:console_webhook_create": console_page(
        "POST",
        lambda w: "/partner/webhooks/new/",
        302,  # to the new endpoint's page, which shows its secret once
        other_staff=400,  # naming another partner is an invalid choice
        body=lambda w: {
            "url": "http://127.0.0.1:9/new",
            "events": ["certificate.voided"],
            "partner": str(w.partner.pk),
        },
        changed=lambda w: WebhookEndpoint.objects.filter(partner=w.partner).count() > 1,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_webhook": console_page(
        "GET", lambda w: f"/partner/webhooks/{w.webhook.pk}/", 200
    ),
    "partner_api:console_webhook_save": console_page(
        "POST",
        lambda w: f"/partner/webhooks/{w.webhook.pk}/save/",
        302,
        body=lambda w: {"url": "http://127.0.0.1:9/changed", "events": ["certificate.voided"]},
        changed=lambda w: _webhook(w).url.endswith("/changed"),
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_webhook_enabled": console_page(
        "POST",
        lambda w: f"/partner/webhooks/{w.webhook.pk}/enabled/",
        302,
        body=lambda w: {"enabled": "0"},
        changed=lambda w: not _webhook(w).enabled,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_webhook_rotate": console_page(
        "POST",
        lambda w: f"/partner/webhooks/{w.webhook.pk}/rotate/",
        302,
        body=lambda w: {"overlap_hours": "24"},
        changed=lambda w: _webhook(w).secret != w.webhook.secret,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_webhook_delete": console_page(
        "POST",
        lambda w: f"/partner/webhooks/{w.webhook.pk}/delete/",
        302,
        changed=lambda w: not WebhookEndpoint.objects.filter(pk=w.webhook.pk).exists(),
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_webhook_redeliver": console_page(
        "POST",
        lambda w: f"/partner/webhooks/{w.webhook.pk}/deliveries/{w.webhook_delivery.pk}/redeliver/",
        302,
        changed=lambda w: WebhookDelivery.objects.get(pk=w.webhook_delivery.pk).manual,
        allowed=frozenset({"staff"}),
    ),
    "partner_api:console_activity": console_page(
        "GET", lambda w: "/partner/activity/", 200, other_staff=200
    ),
    "partner_api:console_activity_export": console_page(
        "GET", lambda w: "/partner/activity/export.csv", 200, other_staff=200
    ),
    # E-mail notifications: each facility person's own settings (nobody else has any); the
    # one-click unsubscribe link is its own credential (signed for one person and kind), so
    # it answers everyone alike, without a session or CSRF token (RFC 8058).
    "notifications:settings": Rule(
        "GET",
        lambda w: "/notifications/",
        _all(
            404,
            anonymous=SIGN_IN,
            key=SIGN_IN,
            other_key=SIGN_IN,
            outsider=200,
            member=200,
            primary=200,
        ),
    ),
    "notifications:unsubscribe": public(
        "POST",
        lambda w: f"/notifications/unsubscribe/{unsubscribe_token(w.member.pk, 'weekly_digest')}/",
        200,
        changed=lambda w: Preferences.objects.filter(person=w.member, weekly_digest=False).exists(),
        allowed=frozenset(PRINCIPALS),
    ),
    # Single sign-on: the provider's way back without an attempt in this browser is refused
    # (400) alike for everyone; "e-mail me a link instead" without an address goes back.
    "sso:callback": public("GET", lambda w: "/sign-in/sso/callback/?state=x&code=y", 400),
    "sso:email_link": public("POST", lambda w: "/sign-in/sso/email-link/", "/sign-in/"),
    # Configuring it: a partner's staff for the partner, a facility's primary contacts for it.
    "sso:console": console_page("GET", lambda w: "/partner/single-sign-on/", 200, other_staff=200),
    "sso:console_save": console_page(
        "POST",
        lambda w: f"/partner/single-sign-on/{w.partner.pk}/",
        302,
        body=lambda w: {**SSO_BODY, "domains": "acme.example"},
        changed=lambda w: IdentityProvider.objects.filter(partner=w.partner).exists(),
        allowed=frozenset({"staff"}),
    ),
    "sso:facility": facility_page(
        "GET",
        lambda w: f"{fac(w)}/single-sign-on/",
        200,
        member=403,
        sees=frozenset({"primary"}),
    ),
    "sso:facility_save": facility_page(
        "POST",
        lambda w: f"{fac(w)}/single-sign-on/save/",
        302,
        member=403,
        body=lambda w: {**SSO_BODY, "domains": "stmary.example"},
        changed=lambda w: IdentityProvider.objects.filter(facility=w.facility).exists(),
        allowed=frozenset({"primary"}),
    ),
    # Load balancer probes.
    "healthz": public("GET", lambda w: "/healthz", 200),
    "readyz": public("GET", lambda w: "/readyz", 200),
}

# The operator admin (Django's admin site): every pattern in the ``admin`` namespace is for
# operators only. Its patterns are enumerated below like any other, and every non-operator
# is checked against every one of them; these two are the doors in.
ADMIN_NAMESPACE = "admin"
ADMIN_DOORS: dict[str, dict[str, Expect]] = {
    # Operators have no password: the admin's login sends people to the e-mail sign-in.
    "admin:login": _all(
        403, anonymous="/sign-in/", key="/sign-in/", other_key="/sign-in/", operator="/admin/"
    ),
    # POST only; to anyone but an operator Django's admin answers with its index address.
    "admin:logout": _all("/admin/", operator=405),
}


# --- enumeration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    key: str  # "namespace:name", or the route for an unnamed pattern
    route: str
    methods: tuple[str, ...]  # for ninja operations: the operation's methods


def _ninja_methods() -> dict[str, tuple[str, ...]]:
    methods: dict[str, tuple[str, ...]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                name = api.get_operation_url_name(operation, router=router)
                methods[f"partner_api:api:{name}"] = tuple(operation.methods)
    return methods


def enumerate_patterns() -> list[Found]:
    ninja = _ninja_methods()
    found: list[Found] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = f"{namespace}:<{route}>" if namespace else f"<{route}>"
                found.append(Found(key, route, ninja.get(key, ())))

    walk(get_resolver().url_patterns, "", "")
    return found


PATTERNS = enumerate_patterns()
SITE = [f for f in PATTERNS if not f.key.startswith(ADMIN_NAMESPACE + ":")]
ADMIN = [f for f in PATTERNS if f.key.startswith(ADMIN_NAMESPACE + ":")]


def test_every_url_pattern_declares_its_access_rule():
    keys = {f.key for f in SITE}
    undeclared = sorted(keys - set(RULES))
    assert not undeclared, f"URL patterns without an access rule in RULES: {undeclared}"
    stale = sorted(set(RULES) - keys)
    assert not stale, f"RULES rows for patterns that no longer exist: {stale}"
    assert set(ADMIN_DOORS) <= {f.key for f in ADMIN}
    assert len(SITE) > 50 and len(ADMIN) > 50  # the walk really saw the whole site


def test_a_view_added_without_a_rule_is_caught(settings):
    """What happens to the next developer: an undeclared pattern shows up as undeclared."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, include, path

    module = type(sys)("tests.security._extended_urls")
    module.urlpatterns = [
        path("", include("compliance_hub.urls")),
        path(
            "facilities/<int:facility_id>/new-page/",
            lambda r, facility_id: HttpResponse(),
            name="new_page",
        ),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    try:
        keys = {f.key for f in enumerate_patterns()}
    finally:
        del sys.modules[module.__name__]
        clear_url_caches()
    assert keys - set(RULES) - {f.key for f in ADMIN} == {"new_page"}


def test_api_rules_use_the_operations_own_methods():
    for found in SITE:
        if found.methods:
            assert RULES[found.key].method in found.methods, found.key


# --- checking ---------------------------------------------------------------------------


def _client(world: World, principal: str):
    """The principal's client, with the cookies it started with (a sign-out drops them)."""
    client = world.clients[principal]
    client.cookies = copy.deepcopy(world.cookies[principal])
    return client


def _request(world: World, principal: str, rule: Rule, url: str):
    client = _client(world, principal)
    method = rule.method.lower()
    body = rule.body(world) if rule.body else None
    if rule.json or (body is None and rule.method in ("PUT", "DELETE")):
        return getattr(client, method)(url, body or {}, content_type="application/json")
    if rule.method == "POST":
        return client.post(url, body or {})
    return getattr(client, method)(url)


def _check(response, expected: Expect, url: str, who: str) -> None:
    where = f"{who} {url}"
    assert response.status_code < 500, where
    if isinstance(expected, int):
        assert response.status_code == expected, f"{where}: {response.status_code}"
        return
    assert response.status_code == 302, f"{where}: {response.status_code}, expected a redirect"
    location = response["Location"]
    if expected == SIGN_IN:
        assert location.startswith("/sign-in/?next="), f"{where}: {location}"
    elif expected == ADMIN_LOGIN:
        assert location.startswith("/admin/login/?next="), f"{where}: {location}"
    else:
        assert location.startswith(expected), f"{where}: {location}"


def _secrets(world: World) -> list[str]:
    return [world.certificate.number, "St Mary Regional", "vic@example.com", world.key.prefix]


def _no_inline_code(response, body: bytes, where: str) -> None:
    """A rendered page has nothing the CSP would block (templates, included or generated)."""
    from tests.security.test_headers import HANDLER, INLINE_SCRIPT, STYLE_ATTR, STYLE_ELEMENT

    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    html = body.decode("utf-8", "replace")
    for pattern in (INLINE_SCRIPT, STYLE_ATTR, STYLE_ELEMENT, HANDLER):
        match = pattern.search(html)
        assert match is None, f"{where}: {html[match.start() : match.start() + 80]}"


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("key", sorted(RULES))
def test_access_rule(shared_world, key):
    world = shared_world
    rule = RULES[key]
    url = rule.url(world)
    for principal in PRINCIPALS:
        cache.clear()
        with transaction.atomic():
            response = _request(world, principal, rule, url)
            _check(response, rule.expect[principal], url, principal)
            if principal != "anonymous":  # a session or an API key: not kept in the cache
                assert "no-store" in response.get("Cache-Control", ""), f"{principal} {url}"
            body = _body(response)
            _no_inline_code(response, body, f"{principal} {url}")
            if rule.changed is not None:
                assert rule.changed(world) == (principal in rule.allowed), (
                    f"{principal} {rule.method} {url}: effect "
                    f"{'missing' if principal in rule.allowed else 'happened'}"
                )
            if 200 <= response.status_code < 300 and principal not in rule.sees and rule.sees:
                for secret in _secrets(world):
                    assert secret.encode() not in body, f"{principal} {url} shows {secret}"
            transaction.set_rollback(True)


def _concrete(route: str) -> str:
    """A real address for an admin route: converters and groups filled with plausible values."""
    url = route.lstrip("^").rstrip("$")
    url = re.sub(r"<path:[a-z_]+>", "1", url)
    url = re.sub(r"\(\?P<app_label>[^)]*\)", "accounts", url)
    url = re.sub(r"\(\?P<url>[^)]*\)", "no-such-page/", url)
    url = url.replace("^", "")
    return "/" + url


@pytest.mark.parametrize("found", ADMIN, ids=lambda f: f.key + " " + f.route)
def test_admin_is_for_operators_only(shared_world, found):
    world = shared_world
    url = _concrete(found.route)
    for principal in PRINCIPALS:
        cache.clear()
        with transaction.atomic():
            response = _client(world, principal).get(url)
            assert response.status_code < 500, f"{principal} {url}"
            _no_inline_code(response, _body(response), f"{principal} {url}")
            if found.key in ADMIN_DOORS:
                _check(response, ADMIN_DOORS[found.key][principal], url, principal)
            elif found.key == "admin:<admin/(?P<url>.*)$>":
                # Django's catch-all answers 404 alike to everyone for unknown addresses.
                assert response.status_code in (302, 404), f"{principal} {url}"
            elif principal == "operator":
                location = response.get("Location", "")
                assert not location.startswith("/admin/login/"), url
            else:
                _check(response, ADMIN_LOGIN, url, principal)
            transaction.set_rollback(True)
