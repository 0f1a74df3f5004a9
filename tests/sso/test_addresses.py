"""Where the hub's requests to a provider go: the issuer's host name is resolved once per
request, every address must be public (``SSO_ALLOW_PRIVATE_ISSUERS`` off, as in production)
and the connection goes to the address checked, never through a second lookup that a
provider's DNS could answer differently (rebinding)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from compliance_hub.core import net
from compliance_hub.sso import oidc, services
from tests import factories

NAME = "idp.rebinding.test"


class _Discovery(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        self.hosts.append(host)
        body = json.dumps(
            {
                "issuer": f"http://{host}",
                "authorization_endpoint": f"http://{host}/auth",
                "token_endpoint": f"http://{host}/token",
                "jwks_uri": f"http://{host}/jwks",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    _Discovery.hosts = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Discovery)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def dns(monkeypatch):
    """``NAME`` answers with the addresses queued in ``answers`` (the last one repeats);
    every lookup of it is counted. Other names and IP literals resolve as usual."""
    real = socket.getaddrinfo
    state = {"answers": ["127.0.0.1"], "lookups": 0}

    def fake(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        state["lookups"] += 1
        answers = state["answers"]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return state


@pytest.mark.django_db
def test_an_issuer_whose_name_resolves_to_a_private_address_is_refused(settings, dns, server):
    settings.SSO_ALLOW_PRIVATE_ISSUERS = False
    issuer = f"http://{NAME}:{server}"
    for address in ("10.0.0.7", "127.0.0.1", "169.254.169.254", "::1"):
        dns["answers"] = [address]
        with pytest.raises(ValidationError) as caught:
            services.check_issuer(issuer)
        assert "private, loopback or link-local" in caught.value.messages[0], address
        with pytest.raises(oidc.OidcError) as failed:
            oidc.discover(issuer)
        assert failed.value.unreachable, address
    assert _Discovery.hosts == []  # never contacted


@pytest.mark.django_db
def test_a_provider_saved_while_public_is_not_contacted_once_it_resolves_privately(
    settings, dns, server
):
    """Checked at each request, on the address the request then uses."""
    facility = factories.facility()
    by = services.Actor(factories.person("admin@setup.example"))
    services.save_provider(
        facility,
        issuer=f"http://{NAME}:{server}",
        client_id="hub",
        client_secret="secret",
        domains="rebinding.example",
        enabled=True,
        by=by,
    )
    settings.SSO_ALLOW_PRIVATE_ISSUERS = False
    with pytest.raises(oidc.OidcError) as failed:
        oidc.discover(f"http://{NAME}:{server}")
    assert failed.value.unreachable
    assert _Discovery.hosts == []


def test_a_provider_is_called_at_the_address_that_was_checked(settings, dns, server, monkeypatch):
    """The name first answers with a public address (loopback stands in for one here), then
    with a private one: the second answer is never asked for. One lookup per request, and
    the request names the host, not the address."""
    settings.SSO_ALLOW_PRIVATE_ISSUERS = False
    monkeypatch.setattr(net, "forbidden", lambda address: address != "127.0.0.1")
    dns["answers"] = ["127.0.0.1", "10.255.255.1"]
    metadata = oidc.discover(f"http://{NAME}:{server}")
    assert metadata["token_endpoint"] == f"http://{NAME}:{server}/token"
    assert dns["lookups"] == 1
    assert _Discovery.hosts == [f"{NAME}:{server}"]


def test_the_token_endpoint_is_checked_at_the_request_too(settings, dns, server, monkeypatch):
    """Discovery reached a public address; the token request's own lookup answers privately:
    no code is posted there."""
    settings.SSO_ALLOW_PRIVATE_ISSUERS = False
    monkeypatch.setattr(net, "forbidden", lambda address: address != "127.0.0.1")
    dns["answers"] = ["127.0.0.1", "10.0.0.9"]
    client = oidc.Client(f"http://{NAME}:{server}", "hub", "secret", "http://testserver/cb")
    with pytest.raises(oidc.OidcError) as failed:
        oidc.finish(client, code="abc", code_verifier="v" * 43, nonce="n")
    assert failed.value.unreachable and "refused" in failed.value.reason
    assert _Discovery.hosts == [f"{NAME}:{server}"]  # the discovery GET only, no token POST
