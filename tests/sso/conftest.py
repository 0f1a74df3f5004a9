"""A real OpenID provider on loopback for the single sign-on tests: panva's certified
``oidc-provider`` (npm, pinned in package-lock.json) in tests/sso/provider.mjs, one Node
process per test on a free port. Nothing here skips: without Node or the npm package
(``npm ci``, which ``make test`` runs) the tests fail saying what is missing.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.core.cache import cache

from compliance_hub.facilities.models import Facility, Partner
from compliance_hub.sso import services
from compliance_hub.sso.models import IdentityProvider

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "compliance-hub"
CLIENT_SECRET = "hub-client-secret-0123456789abcdef0123456789"


@dataclass
class OidcProvider:
    """The running provider: its issuer, the client registered for the hub, and how to sign
    in at it as an employee would (its sign-in form, submitted with ``requests``)."""

    issuer: str
    process: subprocess.Popen[str]
    redirect_uri: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    log: list[str] = field(default_factory=list)

    def set(self, **knobs: Any) -> None:
        response = requests.post(f"{self.issuer}/_test/settings", json=knobs, timeout=5)
        assert response.status_code == 204

    def stats(self) -> dict[str, int]:
        return requests.get(f"{self.issuer}/_test/stats", timeout=5).json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def sign_in(self, authorization_url: str, email: str) -> str:
        """Follow the hub's redirect to the provider, sign in there as ``email``, and return
        the address the provider sends the browser back to (the hub's callback, with the
        code and state)."""
        browser = requests.Session()
        url = authorization_url
        for _ in range(10):
            if url.startswith(self.redirect_uri):
                return url
            response = browser.get(url, allow_redirects=False, timeout=5)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                continue
            assert response.status_code == 200, (url, response.status_code, response.text[:300])
            assert "/interaction/" in url, url
            response = browser.post(
                url.rstrip("/") + "/login", data={"email": email}, allow_redirects=False, timeout=5
            )
            assert response.is_redirect, (response.status_code, response.text[:300])
            url = urljoin(url, response.headers["Location"])
        raise AssertionError(f"the provider never sent the browser back (last: {url})")


def start_provider(redirect_uri: str) -> OidcProvider:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js is missing: the single sign-on tests run a real OpenID provider "
            "with it (install Debian's `nodejs`/`npm`)",
            pytrace=False,
        )
    if not PACKAGE.exists():
        pytest.fail(
            f"oidc-provider is missing ({PACKAGE.relative_to(ROOT)}): run `npm ci` "
            "(make test does)",
            pytrace=False,
        )
    config = {
        "port": 0,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [redirect_uri],
            }
        ],
    }
    process = subprocess.Popen(
        [node, str(SCRIPT), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    output = process.stdout

    def read() -> None:  # a thread: select() cannot see lines already in the pipe's buffer
        for line in output:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 20
    seen: list[str] = []
    while time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line.rstrip())
        if line.startswith("READY "):
            return OidcProvider(
                issuer=line.split()[1], process=process, redirect_uri=redirect_uri, log=seen
            )
    process.kill()
    pytest.fail("the OpenID provider did not start:\n" + "\n".join(seen), pytrace=False)


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    provider = start_provider(services.redirect_uri())
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def configure(
    owner: Partner | Facility,
    provider: OidcProvider,
    domains: str,
    *,
    verified: bool = True,
    **overrides: Any,
) -> IdentityProvider:
    """The hub's side: ``owner`` set up single sign-on with ``provider`` for ``domains``,
    and (``verified``) the hub's operator verified those domains."""
    from tests import factories

    by = services.Actor(factories.person(f"admin-{owner.pk}-{time.monotonic_ns()}@setup.example"))
    values = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "domains": domains,
        "enabled": True,
        **overrides,
    }
    saved = services.save_provider(owner, by=by, **values)
    if verified:
        operator = services.Actor(factories.person(f"ops-{time.monotonic_ns()}@hub.example"))
        for domain in saved.domains.all():
            services.verify_domain(domain, by=operator)
    return saved


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
