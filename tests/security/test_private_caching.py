"""What a signed-in person was sent is not kept in the browser's cache: after signing out on a
shared computer, the back button and the cache show nothing. Public pages and static files keep
their own caching. (Every URL of the site, for every signed-in principal and API key, is
checked in test_authorization_matrix.py; these are the stories around it.)"""

from __future__ import annotations

import pytest
from django.test import Client

from compliance_hub.certificates.documents import verify_url
from tests.accounts.helpers import code_in, deliver

pytestmark = pytest.mark.django_db


def _not_stored(response) -> None:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, response.get("Cache-Control")
    assert not any(d.startswith("max-age=") and d != "max-age=0" for d in directives)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_certificates_and_exports_are_not_kept_after_sign_out(world):
    member = world.clients["member"]
    base = f"/facilities/{world.facility.pk}"
    number = world.certificate.number
    for path in (
        f"{base}/certificates/",
        f"{base}/certificates/{number}/",
        f"{base}/certificates/{number}/download/",
        f"{base}/certificates/export.csv",
        f"{base}/certificates/export.xlsx",
        f"{base}/audits/{world.reconciliation.pk}/packet.zip",
    ):
        response = member.get(path)
        assert response.status_code == 200, path
        _body(response)
        _not_stored(response)
    world.facility.bulk_download_enabled = True
    world.facility.save()
    bulk = member.get(f"{base}/certificates/bulk.zip")
    assert bulk.status_code == 200 and bulk["Content-Type"] == "application/zip"
    _body(bulk)
    _not_stored(bulk)


def test_a_revalidated_certificate_is_not_stored_either(world):
    member = world.clients["member"]
    url = f"/facilities/{world.facility.pk}/certificates/{world.certificate.number}/"
    first = member.get(url)
    again = member.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    _not_stored(again)


def test_the_answers_that_start_and_end_a_session_are_not_stored(world):
    browser = Client()
    sent = browser.post("/sign-in/", {"email": world.member.email})
    assert sent.status_code == 302
    code = code_in(str(deliver()[-1].body))
    signed_in = browser.post("/sign-in/code/", {"code": code})
    assert signed_in.status_code == 302 and "sessionid" in signed_in.cookies
    _not_stored(signed_in)
    _not_stored(browser.get(f"/facilities/{world.facility.pk}/certificates/"))
    signed_out = browser.post("/sign-out/")
    assert signed_out.status_code == 302
    assert signed_out.cookies["sessionid"].value == ""  # the cookie is cleared
    _not_stored(signed_out)


def test_partner_api_answers_are_not_stored(world):
    key = world.clients["key"]
    for path in ("/api/v1/facilities", f"/api/v1/certificates/{world.certificate.number}/pdf"):
        response = key.get(path)
        assert response.status_code == 200, path
        _not_stored(response)


def test_public_verification_keeps_its_own_caching(world):
    anonymous = Client()
    page = anonymous.get(verify_url(world.certificate).split("testserver", 1)[-1])
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"  # the view's own, as it set it
    assert "Expires" not in page


def test_static_files_stay_cacheable_for_signed_in_people(world):
    for who in ("member", "staff", "anonymous"):
        response = world.clients[who].get("/static/hub/hub.css")
        assert response.status_code == 200, who
        _body(response)
        cache_control = response["Cache-Control"]
        assert "no-store" not in cache_control and "max-age=" in cache_control, cache_control
        assert "max-age=0" not in cache_control
