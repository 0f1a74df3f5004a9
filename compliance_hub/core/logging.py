"""Structured JSON logs with request ids, and redaction of secrets that travel in URLs."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Magic-link tokens and verification codes travel in URL paths; they never reach a log.
_SECRET_PATHS = re.compile(
    r"(/(?:sign-in|invitations|i|s)/)[A-Za-z0-9_\-]{16,}"
    r"|(/v/[A-Z0-9\-]+/)[A-Z0-9]{6,}"
)
_SECRET_QUERY = re.compile(r"((?:token|code|key)=)[^&\s\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    """Remove tokens, codes and e-mail addresses from a log line."""
    text = _SECRET_PATHS.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)
    text = _SECRET_QUERY.sub(r"\1[redacted]", text)
    return _EMAIL.sub("[email]", text)


class RedactingFilter(logging.Filter):
    """Rewrites every record's message with ``redact`` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, extras."""

    _extras = ("method", "path", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", request_id_var.get()),
            "message": record.getMessage(),
        }
        for key in self._extras:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
