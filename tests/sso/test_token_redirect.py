"""What a provider's documents may make the hub do: a redirect from the token endpoint is a
failure, never followed (it could point the hub's request into its own network), and the
browser is sent only to a web address (never javascript:)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from compliance_hub.sso import oidc


class _Provider(BaseHTTPRequestHandler):
    hits: list[str] = []
    authorization_endpoint = ""
    base = ""

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.hits.append(f"GET {self.path}")
        base = self.base
        if self.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": base,
                    "authorization_endpoint": self.authorization_endpoint or base + "/auth",
                    "token_endpoint": base + "/token",
                    "jwks_uri": base + "/jwks",
                }
            )
        else:
            self._json({"access_token": "x", "token_type": "Bearer", "id_token": "x.y.z"})

    def do_POST(self) -> None:
        self.hits.append(f"POST {self.path}")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/token":
            self.send_response(307)
            self.send_header("Location", "/internal-admin")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._json({"access_token": "x", "token_type": "Bearer", "id_token": "x.y.z"})


@pytest.fixture
def provider():
    _Provider.hits = []
    _Provider.authorization_endpoint = ""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    _Provider.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Provider.base
    server.shutdown()
    server.server_close()


def test_a_redirect_from_the_token_endpoint_is_not_followed(provider):
    client = oidc.Client(provider, "hub", "secret", "http://testserver/sign-in/sso/callback/")
    with pytest.raises(oidc.OidcError) as refused:
        oidc.finish(client, code="abc", code_verifier="v" * 64, nonce="n")
    assert refused.value.unreachable
    assert "POST /token" in _Provider.hits
    assert not any("/internal-admin" in hit for hit in _Provider.hits)


@pytest.mark.parametrize(
    "endpoint",
    ["javascript:alert(document.cookie)//", "data:text/html,x", "https://idp/\r\nSet-Cookie: a=b"],
)
def test_an_authorization_endpoint_that_is_not_a_web_address_is_refused(provider, endpoint):
    _Provider.authorization_endpoint = endpoint
    client = oidc.Client(provider, "hub", "secret", "http://testserver/sign-in/sso/callback/")
    with pytest.raises(oidc.OidcError):
        oidc.begin(client)
