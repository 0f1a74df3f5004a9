"""HTTPS receivers: the connection goes to the checked address, yet TLS verifies the
certificate for the URL's host name (a real TLS server on loopback, certificate by openssl)."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from compliance_hub.webhooks import transport
from tests.webhooks.conftest import Receiver, _handler


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
            "-addext", f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _serve(cert: Path, key: Path) -> tuple[Receiver, ThreadingHTTPServer]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server


@pytest.fixture
def certificates(tmp_path) -> dict[str, tuple[Path, Path]]:
    return {name: _certificate(tmp_path, name) for name in ("localhost", "hooks.example")}


@pytest.fixture
def tls_receiver(certificates) -> Iterator[tuple[Receiver, Path]]:
    """A receiver whose certificate names ``localhost``, as its URL does."""
    cert, key = certificates["localhost"]
    state, server = _serve(cert, key)
    yield state, cert
    server.shutdown()
    server.server_close()


def _trusting(monkeypatch, cafile: Path) -> None:
    real = ssl.create_default_context
    monkeypatch.setattr(transport.ssl, "create_default_context", lambda: real(cafile=cafile))


def test_an_https_receiver_with_a_trusted_certificate_for_its_name_gets_the_event(
    tls_receiver, monkeypatch
):
    receiver, cert = tls_receiver
    _trusting(monkeypatch, cert)
    answer = transport.post(f"https://localhost:{receiver.port}/hooks", b"{}", {})
    assert answer.ok, answer.error
    assert receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"


def test_an_untrusted_certificate_is_a_failed_attempt(tls_receiver):
    receiver, _ = tls_receiver
    answer = transport.post(f"https://localhost:{receiver.port}/hooks", b"{}", {})
    assert answer.status is None and answer.error.startswith("TLS error")
    assert receiver.received == []


def test_a_trusted_certificate_for_another_name_is_refused(certificates, monkeypatch):
    """The hub connects to the checked address but still checks the name: a server there
    with a valid certificate for some other host is not the partner's receiver."""
    cert, key = certificates["hooks.example"]
    receiver, server = _serve(cert, key)
    try:
        _trusting(monkeypatch, cert)
        answer = transport.post(f"https://localhost:{receiver.port}/hooks", b"{}", {})
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status is None
    assert answer.error == "TLS error: Hostname mismatch, certificate is not valid for 'localhost'."
    assert receiver.received == []
