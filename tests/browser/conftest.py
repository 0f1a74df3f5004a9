"""Shared set-up for the browser journeys: one Chromium for the whole session, the app on a live
server, e-mail delivered over real SMTP to a loopback server, axe-core for accessibility.

Nothing here skips: without Chromium at /usr/bin/chromium or axe-core in node_modules (``npm ci``)
the tests fail with a message saying what is missing.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.mailer.smtp import LoopbackSMTP, text_body, use_smtp

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERVER_PORTS = range(8570, 8580)
SMTP_PORTS = range(8580, 8590)
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
# Screenshots are written only on request, so a test run never dirties the working tree:
# SCREENSHOTS=1 make test-browser
SCREENSHOTS = os.environ.get("SCREENSHOTS", "") not in ("", "0")
LINK = re.compile(r"https?://[^/\s]+(/(?:sign-in|invitations)/[A-Za-z0-9_\-]{20,}/)")
CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})\r?$", re.MULTILINE)
# Main-document error statuses are checked by the tests themselves (404 page, used link: 410);
# Chromium also logs them to the console as "Failed to load resource", which is not a page bug.
DOCUMENT_STATUS_LOG = re.compile(r"^Failed to load resource: the server responded with a status")


def _first_free(ports: range, start: Callable[[int], Any]) -> Any:
    error: Exception | None = None
    for port in ports:
        try:
            return start(port)
        except OSError as exc:  # taken by another run
            error = exc
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}: {error}")


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server (threaded), on the first free port of this suite's range."""
    server = _first_free(SERVER_PORTS, lambda port: LiveServer(f"127.0.0.1:{port}"))
    yield server
    server.stop()


class Mailbox:
    """The loopback SMTP server's inbox."""

    def __init__(self, server: LoopbackSMTP) -> None:
        self.server = server
        self.seen = 0

    def clear(self) -> None:
        self.seen = len(self.server.messages)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.server.messages[self.seen :]

    def wait_for(self, to: str, subject: str = "", timeout: float = 10.0) -> EmailMessage:
        """The first new message to ``to`` (whose subject contains ``subject``)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                if message["To"] == to and subject in str(message["Subject"]):
                    self.seen = self.server.messages.index(message) + 1
                    return message
            if time.monotonic() > deadline:
                got = [(m["To"], m["Subject"]) for m in self.messages]
                raise AssertionError(f"no e-mail to {to} ({subject!r}) arrived; got {got}")
            time.sleep(0.05)


def link_in(message: EmailMessage) -> str:
    body = text_body(message)
    match = LINK.search(body)
    assert match, f"no link in:\n{body}"
    return match.group(1)


def code_in(message: EmailMessage) -> str:
    body = text_body(message)
    match = CODE.search(body)
    assert match, f"no code in:\n{body}"
    return match.group(1)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[LoopbackSMTP]:
    def start(port: int) -> LoopbackSMTP:
        server = LoopbackSMTP(port)
        server.start()
        return server

    server = _first_free(SMTP_PORTS, start)
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    box = Mailbox(smtp_server)
    box.clear()
    return box


@pytest.fixture(autouse=True)
def hub_settings(settings, live_server, smtp_server, tmp_path):
    """The app as deployed small: mail leaves over SMTP right after each request commits,
    links in it point at the live server, certificate files in a fresh directory."""
    use_smtp(settings, smtp_server.port)
    settings.MAIL_SEND_ON_COMMIT = True
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    cache.clear()  # rate-limit counters: every test starts with none used
    yield
    cache.clear()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing ({AXE.relative_to(ROOT)}): run `npm ci` (make test-browser "
            "does) — the accessibility checks cannot run without it",
            pytrace=False,
        )
    return AXE.read_text()


# One Chromium for this package's tests, closed after its last one: other browser tests in the
# same run start their own sync Playwright, which cannot run while this one is open.
@pytest.fixture(scope="package")
def playwright_session(django_db_setup, django_db_blocker) -> Iterator[Playwright]:
    # Playwright's sync API keeps an event loop on this thread while it is open; the ORM
    # calls the tests make between browser steps are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def chromium(playwright_session) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is missing ({CHROMIUM}): install Debian's `chromium` package "
            "(.ci/run does); these tests never download a browser",
            pytrace=False,
        )
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    )
    yield browser
    browser.close()


@dataclass
class Problems:
    """What went wrong in the browser while a test ran: script errors, console errors and
    failed sub-resources (stylesheet, script, icon)."""

    items: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not DOCUMENT_STATUS_LOG.match(message.text):
            self.items.append(f"console error on {message.location.get('url')}: {message.text}")

    def page_error(self, error: Any) -> None:
        self.items.append(f"uncaught script error: {error}")

    def response(self, response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.items.append(f"{response.status} for {response.url}")


class Hub:
    """Opens browser pages (each its own browser profile, like a separate device) on the app."""

    def __init__(self, browser: Browser, server: LiveServer, axe: str) -> None:
        self.browser = browser
        self.url = server.url
        self.axe_source = axe
        self.problems = Problems()
        self.contexts: list[Any] = []

    def new_page(self, *, session_of: Any = None, **options: Any) -> Page:
        options.setdefault("locale", "en-US")
        options.setdefault("timezone_id", "America/New_York")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = self.browser.new_context(base_url=self.url, **options)
        context.set_default_timeout(10_000)
        if options.get("java_script_enabled", True):
            # axe-core goes in as an init script: the app's Content-Security-Policy (rightly)
            # blocks inline scripts, and init scripts are not page content.
            context.add_init_script(script=self.axe_source)
        self.contexts.append(context)
        if session_of is not None:
            client = Client()
            client.force_login(session_of)
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.url}]
            )
        page = context.new_page()
        page.on("console", self.problems.console)
        page.on("pageerror", self.problems.page_error)
        page.on("response", self.problems.response)
        return page

    def check_a11y(self, page: Page, what: str) -> None:
        """axe-core on the page as it is now: no serious or critical violation of WCAG 2.1 A/AA
        (colour contrast included) or of axe's best practices."""
        assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core not loaded"
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                    'wcag22aa', 'best-practice']},
                    resultTypes: ['violations'],
                });
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(
                        n => n.target.join(' ') + ': ' + n.failureSummary),
                }));
            }"""
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{what} ({page.url}): " + "\n".join(
            f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in bad
        )

    def shot(self, page: Page, name: str, *, full_page: bool = True) -> None:
        if SCREENSHOTS:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=full_page)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def hub(chromium, live_server, axe_source) -> Iterator[Hub]:
    """Browser pages on the app; the test fails if any page logged an error."""
    h = Hub(chromium, live_server, axe_source)
    yield h
    h.close()
    assert h.problems.items == [], "\n".join(h.problems.items)
