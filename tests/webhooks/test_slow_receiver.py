"""A receiver that drips its answer a byte at a time never holds the worker for long: the
whole exchange has a deadline (twice ``WEBHOOKS_TIMEOUT_SECONDS``), not only each read."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from compliance_hub.webhooks import transport


@pytest.fixture
def dripping() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():  # one header byte every 0.3 s, for ever
                try:
                    conn.sendall(b"X")
                except OSError:
                    return
                time.sleep(0.3)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


def test_a_dripping_receiver_is_cut_off_at_the_deadline(settings, dripping):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    answer = transport.post(f"http://127.0.0.1:{dripping}/hook", b"{}", {})
    assert time.monotonic() - started < 4
    assert answer.status is None and not answer.ok
    assert answer.error == "Timed out after 2 s in all"
