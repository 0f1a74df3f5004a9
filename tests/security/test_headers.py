"""Security headers on every kind of answer, production cookie and HSTS settings, and
templates that need no inline script or style (so the CSP can forbid them)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from compliance_hub.core.security import HTML_POLICY

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def test_pages_carry_a_strict_content_security_policy(world):
    client = world.clients["member"]
    response = client.get(f"/facilities/{world.facility.pk}/certificates/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_the_sign_in_page_and_the_public_verification_page_have_it_too(world, client):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == HTML_POLICY
    # The verification page sets a stricter one of its own, which the middleware keeps.
    verify = _directives(client.get("/verify/")["Content-Security-Policy"])
    assert verify["default-src"] == "'none'" and verify["frame-ancestors"] == "'none'"
    assert verify["script-src"] == "'self'"


def test_api_answers_are_not_documents_and_pdfs_stay_viewable(world):
    api = world.clients["key"]
    answer = api.get("/api/v1/facilities")
    assert answer.status_code == 200
    assert answer["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert answer["X-Content-Type-Options"] == "nosniff"
    pdf = world.clients["member"].get(
        f"/facilities/{world.facility.pk}/certificates/{world.certificate.number}/"
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Chrome's PDF viewer is blocked by object-src 'none' on the PDF itself: no CSP there.
    assert "Content-Security-Policy" not in pdf
    assert pdf["X-Frame-Options"] == "DENY"
    assert pdf["X-Content-Type-Options"] == "nosniff"


def test_a_view_may_set_its_own_policy(rf):
    from django.http import HttpResponse

    from compliance_hub.core.security import SecurityHeadersMiddleware

    own = HttpResponse("x")
    own["Content-Security-Policy"] = "default-src 'none'"
    middleware = SecurityHeadersMiddleware(lambda request: own)
    assert middleware(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


PRODUCTION = """
import json, os
os.environ.update(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="hub.example.com",
                  DATA_DIR=os.environ["HUB_TMP"], SITE_URL="https://hub.example.com")
from compliance_hub import settings as s
print(json.dumps({k: getattr(s, k, None) for k in (
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY")}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, object]:
    """The security settings production gets from compliance_hub/settings.py (DEBUG off)."""
    env = {"PATH": "/usr/bin:/bin", "HUB_TMP": str(tmp_path_factory.mktemp("prod"))}
    out = subprocess.run(
        [sys.executable, "-c", PRODUCTION],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_and_secure_cookies(production):
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_with_production_settings_a_signed_in_session_is_a_secure_host_cookie(
    production, world, client
):
    """Sign in for real (code by e-mail) over HTTPS with the production security settings."""
    from tests.accounts.helpers import code_in, deliver

    keys = [k for k in production if k.startswith(("SECURE_", "SESSION_", "CSRF_"))]
    with override_settings(**{k: production[k] for k in keys}):
        page = client.get("/sign-in/", secure=True)
        assert page.status_code == 200
        hsts = page["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
        assert client.get("/sign-in/").status_code == 301  # plain HTTP goes to HTTPS
        sent = client.post("/sign-in/", {"email": world.member.email}, secure=True)
        assert sent.status_code == 302
        code = code_in(str(deliver()[-1].body))
        signed_in = client.post("/sign-in/code/", {"code": code}, secure=True)
        assert signed_in.status_code == 302
        cookie = signed_in.cookies["__Host-sessionid"]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["path"] == "/" and not cookie["domain"]


# --- templates: nothing inline that a strict CSP would block -----------------------------

TEMPLATES = [
    p
    for p in (ROOT / "compliance_hub").rglob("templates/**/*.html")
    if "/email/" not in str(p) and "mailer/" not in str(p)  # e-mail bodies are not pages
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def test_templates_were_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_style_or_handlers(path):
    text = path.read_text()
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTR),
        ("<style> element", STYLE_ELEMENT),
        ("on…= handler", HANDLER),
        ("javascript: URL", JS_URL),
    ):
        match = pattern.search(text)
        assert match is None, f"{name} in {path.name}: {text[match.start() : match.start() + 80]}"


def test_static_scripts_use_no_eval():
    scripts = list((ROOT / "compliance_hub").rglob("static/**/*.js"))
    assert scripts
    for script in scripts:
        text = script.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", text), script
