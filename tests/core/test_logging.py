import json
import logging

import pytest

from compliance_hub.core.logging import JsonFormatter, RedactingFilter, redact


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
