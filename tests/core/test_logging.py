import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance_hub.core.logging import JsonFormatter, RedactingFilter, RequestIdFilter, redact


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET /sign-in/Zq3u1mV9aPq0rW8xLmN4bC7dE2fG5hJ6kT1yU3iO9pA/ 302", "Zq3u1mV9aPq0rW8x"),
        ("GET /invitations/abcdefghijklmnopqrstuvwxyz012345/ 200", "abcdefghijklmnop"),
        ("GET /v/CH-7K3M-9QXP/ABCDE12345/ 200", "ABCDE12345"),
        ("POST /x?token=s3cr3tvalue&y=1", "s3cr3tvalue"),
        ("sent to jo.smith@example.com", "jo.smith@example.com"),
    ],
)
def test_secrets_never_reach_the_log_line(line, secret):
    assert secret not in redact(line)


def test_json_lines_carry_request_id_and_redacted_message():
    record = logging.LogRecord(
        "compliance_hub.access",
        logging.INFO,
        __file__,
        1,
        "GET %s",
        ("/sign-in/" + "a" * 43,),
        None,
    )
    record.request_id = "req-12345678"
    RedactingFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "req-12345678"
    assert entry["message"] == "GET /sign-in/[redacted]"
    assert entry["level"] == "INFO"


# --- request ids --------------------------------------------------------------------------

PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
GENERATED = re.compile(r"[0-9a-f]{16}")


@contextmanager
def access_lines() -> Iterator[io.StringIO]:
    """The access log as production writes it (the settings' filters, JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("compliance_hub.access")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    incoming=st.one_of(
        st.from_regex(PLAIN_TOKEN, fullmatch=True),
        st.text(max_size=100),
        st.text(alphabet="abcdef0123456789-", min_size=60, max_size=70),
        st.sampled_from(["", "a" * 65, "abcdefgh\n", "abc def", "a,b", "id\x00", "ü" * 8, "%41"]),
    )
)
def test_a_request_id_is_kept_only_if_it_is_a_short_plain_token(incoming):
    client = Client()
    with access_lines() as log:
        response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    echoed = response["X-Request-ID"]
    if PLAIN_TOKEN.fullmatch(incoming):
        assert echoed == incoming
    else:
        assert GENERATED.fullmatch(echoed), echoed
    entry = json.loads(log.getvalue().splitlines()[-1])
    assert entry["request_id"] == echoed
    assert entry["message"] == "GET /healthz 200"
