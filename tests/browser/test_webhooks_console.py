"""A partner adds a webhook endpoint in the console, pointing at a real HTTP receiver on
loopback; copies the signing secret (shown once); an assignment is cancelled; the worker
delivers; the receiver verifies the signature with the ``standardwebhooks`` library; the console's
delivery log shows it delivered with HTTP 200; Redeliver sends it a second time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from compliance_hub.certificates.services import cancel_assignment
from compliance_hub.core.worker import run_once
from compliance_hub.facilities.models import Partner
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.browser import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Receiver:
    """A partner's webhook receiver: an HTTP server on loopback that answers 200 and keeps
    every request (headers and the raw body)."""

    def __init__(self) -> None:
        received: list[tuple[dict[str, str], bytes]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                received.append((dict(self.headers.items()), self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def partner(transactional_db) -> Partner:
    return factories.partner(name=data.PARTNER)


def test_add_an_endpoint_receive_a_signed_event_see_it_delivered_and_redeliver(
    hub, partner, receiver
):
    facility = factories.facility(partner, name="Alder Court Care Home")
    jane = factories.contractor(partner, "Jane", "Doe")
    assignment = factories.assignment(
        facility, jane, date(2026, 3, 1), date(2026, 3, 10), external_id="A-77"
    )
    staff = data.partner_staff(partner)
    page = hub.new_page(session_of=staff)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hub.url)

    page.goto("/partner/")
    page.get_by_role("navigation", name="Partner console").get_by_role(
        "link", name="Webhooks"
    ).click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.get_by_text("No webhook endpoints yet.")).to_be_visible()
    hub.check_a11y(page, "webhooks, none yet")

    # A field error first: nothing typed.
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("Enter the address of your receiver.")).to_be_visible()
    hub.check_a11y(page, "webhooks form with an error")

    page.get_by_label("Receiver URL").fill(receiver.url)
    page.get_by_label("What is it for?").fill("Scheduling system")
    page.get_by_label("invitation.accepted").uncheck()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="Your signing secret")).to_be_visible()
    endpoint = WebhookEndpoint.objects.get(partner=partner)
    assert page.url == f"{hub.url}/partner/webhooks/{endpoint.pk}/#secret"  # POST/redirect/GET
    assert "invitation.accepted" not in endpoint.event_types
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    secret = page.evaluate("() => navigator.clipboard.readText()")
    assert secret.startswith("whsec_")
    expect(page.get_by_text("standardwebhooks").first).to_be_visible()
    hub.check_a11y(page, "new webhook endpoint with its secret")
    hub.shot(page, "console-webhook")

    page.reload()
    expect(page.get_by_role("heading", name="Your signing secret")).to_have_count(0)
    assert secret not in page.content()
    expect(page.get_by_text("Nothing sent yet")).to_be_visible()
    assert WebhookEndpoint.objects.filter(partner=partner).count() == 1

    # Something happens: the assignment is cancelled, its certificate voided.
    cancel_assignment(assignment)
    assert run_once()["webhooks"] == 1  # one round of the worker process's jobs
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    event = Webhook(secret).verify(body, headers)  # raises unless signed with the copied secret
    assert event["type"] == "certificate.voided"
    assert event["data"]["assignment"] == "A-77" and event["data"]["status"] == "void"

    page.reload()
    log = page.locator("table.webhook-log")
    row = log.locator("tbody tr").first
    expect(row).to_contain_text("certificate.voided")
    expect(row).to_contain_text(headers["webhook-id"])
    expect(row.get_by_text("Delivered")).to_be_visible()
    expect(row.locator("td[data-label=Answer]")).to_contain_text("HTTP 200")
    expect(row.locator("td[data-label=Answer]")).to_contain_text(" ms")
    expect(row.locator("td[data-label=Status]")).to_contain_text("1 attempt")
    hub.check_a11y(page, "webhook delivery log")

    row.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_text("will be sent again in a moment")).to_be_visible()
    expect(row.get_by_text("Pending")).to_be_visible()
    assert run_once()["webhooks"] == 1
    assert len(receiver.received) == 2
    again_headers, again_body = receiver.received[1]
    assert again_headers["webhook-id"] == headers["webhook-id"]  # the same event, again
    assert Webhook(secret).verify(again_body, again_headers)["type"] == "certificate.voided"
    page.reload()
    expect(row.get_by_text("Delivered")).to_be_visible()
    expect(row.locator("td[data-label=Status]")).to_contain_text("2 attempts")
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event__type="certificate.voided")
    assert delivery.attempts == 2

    page.get_by_role("link", name="All webhook endpoints").click()
    listing = page.get_by_role("table")
    expect(listing).to_contain_text(receiver.url)
    expect(listing).to_contain_text("Active")
    expect(listing).to_contain_text("HTTP 200")


def test_without_javascript_the_secret_is_there_to_select_and_copy_once(hub, partner, receiver):
    page = hub.new_page(session_of=data.partner_staff(partner), java_script_enabled=False)
    page.goto("/partner/webhooks/")
    page.get_by_label("Receiver URL").fill(receiver.url)
    page.get_by_role("button", name="Add endpoint").click()
    field = page.get_by_label("Signing secret", exact=True)
    assert field.input_value().startswith("whsec_")
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()  # needs the script
    page.reload()
    expect(page.get_by_label("Signing secret", exact=True)).to_have_count(0)
    assert WebhookEndpoint.objects.filter(partner=partner).count() == 1
