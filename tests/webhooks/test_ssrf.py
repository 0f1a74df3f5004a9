"""Server-side request forgery: with private targets not allowed (production), a webhook can
point only at public addresses, checked when registered and again at each delivery."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from compliance_hub.core import net
from compliance_hub.webhooks import services, transport
from compliance_hub.webhooks.delivery import deliver_due
from compliance_hub.webhooks.models import DeliveryAttempt, WebhookDelivery
from tests import factories

pytestmark = pytest.mark.django_db

REFUSED = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.8",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
]


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert net.forbidden(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert not net.forbidden(address)


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOW_HTTP = False
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3:8443/hook",
    ],
)
def test_registration_refuses_private_targets(production, url):
    partner = factories.partner()
    with pytest.raises(ValidationError) as caught:
        services.create_endpoint(partner, url=url, events=["certificate.issued"])
    assert "private, loopback or link-local" in caught.value.message_dict["url"][0]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "Use an https:// URL."),
        ("ftp://hooks.example.com/x", "Use an https:// URL."),
        ("https://user:pw@hooks.example.com/x", "Leave user names and passwords out of the URL."),
        ("https:///nohost", "Enter a URL with a host name."),
        ("https://hooks.example.com/x#frag", "Leave the #fragment out of the URL."),
        ("https://hooks.example.com:99999/x", "Enter a valid URL."),
        ("https://exa mple.com/", "Enter the URL without spaces; encode other characters."),
        (
            "https://does-not-exist.invalid/x",
            "The host name does-not-exist.invalid does not resolve.",
        ),
    ],
)
def test_registration_refuses_bad_urls_naming_the_field(production, url, message):
    partner = factories.partner()
    with pytest.raises(ValidationError) as caught:
        services.create_endpoint(partner, url=url, events=["certificate.issued"])
    assert caught.value.message_dict["url"] == [message]


def test_delivery_checks_the_target_again(settings, receiver):
    """Registered while allowed (or before the host's DNS changed): not called now."""
    partner = factories.partner()
    services.create_endpoint(partner, url=receiver.url, events=["certificate.issued"])
    factories.assignment(factories.facility(partner))
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    deliver_due()

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_error.startswith("Refused: The URL's host is a private")
    assert DeliveryAttempt.objects.get().error == delivery.last_error


def test_delivery_to_localhost_by_name_is_refused_too(settings, receiver):
    partner = factories.partner()
    url = f"http://localhost:{receiver.port}/hooks"
    services.create_endpoint(partner, url=url, events=["certificate.issued"])
    factories.assignment(factories.facility(partner))
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    deliver_due()
    assert receiver.received == []


def test_the_request_goes_to_the_address_that_was_checked(monkeypatch, receiver):
    """One lookup per attempt: the connection uses the checked address, so a second DNS
    answer (rebinding) cannot redirect it."""
    lookups = []
    real = transport.socket.getaddrinfo

    def counting(*args, **kwargs):
        lookups.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(transport.socket, "getaddrinfo", counting)
    answer = transport.post(f"http://localhost:{receiver.port}/hooks", b"{}", {})
    assert answer.ok
    names = [h for h in lookups if not _is_address(h)]
    assert names == ["localhost"]
    assert receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"
