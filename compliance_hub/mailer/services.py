"""Durable e-mail: store first (same transaction as the action), send later, retry with backoff.

``enqueue`` writes a message to the outbox. ``send_due`` (run by ``compliance-hub send-mail``)
claims due messages one by one with a conditional UPDATE, sends them and marks each sent at
most once. When ``MAIL_SEND_ON_COMMIT`` is on (the demo), the message is also sent right after
the surrounding transaction commits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import smtplib
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone

from compliance_hub.mailer.models import OutboundEmail

log = logging.getLogger(__name__)

# A claimed message belongs to one sender for this long (longer than any SMTP timeout):
# the lease of a sender killed mid-message expires and another sender takes it over.
# ``MAIL_CLAIM_SECONDS`` overrides it.
CLAIM_SECONDS = 300


def claim_seconds() -> int:
    return int(getattr(settings, "MAIL_CLAIM_SECONDS", CLAIM_SECONDS))


# Errors that mean "the mail server is unreachable": stop the batch, try again next round.
_TRANSPORT_ERRORS = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render ``<template>.txt`` (no HTML escaping) and ``<template>.html``."""
    full = {"SITE_URL": settings.SITE_URL, "HUB_NAME": settings.HUB_NAME, **context}
    text = (
        Engine.get_default().get_template(f"{template}.txt").render(Context(full, autoescape=False))
    )
    html = render_to_string(f"{template}.html", full)
    return text.strip() + "\n", html


def enqueue(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    sensitive: bool = False,
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Store one message for ``to``; it is sent by the worker (or right after commit in the demo).

    Call it inside the transaction of the action that causes it: if that rolls back, no mail.
    ``sensitive`` messages (sign-in links, codes) have their bodies erased once sent.
    ``headers`` are added to the message as given (e.g. ``List-Unsubscribe``); they cannot
    replace the ones the outbox sets itself (``Message-ID``, ``Auto-Submitted``).
    """
    message = _message(to, subject, template, context, sensitive, headers)
    message.save()
    if settings.MAIL_SEND_ON_COMMIT:
        transaction.on_commit(lambda: _send_now(message.pk))
    return message


def enqueue_many(messages: Iterable[dict[str, Any]], chunk: int = 500) -> int:
    """``enqueue`` for many messages (each a dict of its keyword arguments), rendered and
    stored ``chunk`` at a time with one INSERT each: for jobs that queue thousands (the
    weekly digest). Returns how many were stored."""
    stored = 0
    batch: list[OutboundEmail] = []
    for item in messages:
        batch.append(_message(**item))
        if len(batch) >= chunk:
            stored += _store(batch)
            batch = []
    return stored + (_store(batch) if batch else 0)


def _store(batch: list[OutboundEmail]) -> int:
    OutboundEmail.objects.bulk_create(batch)
    if settings.MAIL_SEND_ON_COMMIT:
        ids = [m.pk for m in batch if m.pk is not None]
        transaction.on_commit(lambda: _send_now(*ids))
    return len(batch)


def _message(
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    sensitive: bool = False,
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    text, html = render(template, context)
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return OutboundEmail(
        to=to,
        subject=" ".join(subject.split())[:255],
        body_text=text,
        body_html=html,
        template=template,
        message_id=make_msgid(idstring=secrets.token_hex(4), domain=domain),
        sensitive=sensitive,
        headers=dict(headers or {}),
    )


def _send_now(*pks: int) -> None:
    try:
        send_messages(pks)
    except Exception:  # the worker retries; never break the request that queued it
        log.exception("Sending e-mail %s right after commit failed", pks)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: doubling, capped."""
    base = settings.MAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), settings.MAIL_RETRY_MAX_SECONDS))


def _due(now: datetime) -> Q:
    return Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def send_due(limit: int = 50, *, now: datetime | None = None) -> int:
    """Send up to ``limit`` due messages; return how many were sent."""
    now = now or timezone.now()
    ids = list(
        OutboundEmail.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return send_messages(ids, now=now)


def send_messages(ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Claim, send and mark the given messages (those still due); return how many were sent."""
    now = now or timezone.now()
    worker = f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"
    sent = 0
    connection = get_connection()
    try:
        for pk in ids:
            # The lease runs from the moment of the claim, not from the start of the batch:
            # a batch slower than the lease must not hand out already-expired claims (another
            # sender could then take the message while this one sends it).
            leased_from = max(now, timezone.now())
            claimed = OutboundEmail.objects.filter(_due(now), pk=pk).update(
                claimed_by=worker,
                claimed_until=leased_from + timedelta(seconds=claim_seconds()),
            )
            if not claimed:
                continue  # someone else has it, or it is no longer due
            message = OutboundEmail.objects.get(pk=pk)
            try:
                _build(message, connection).send()
            except Exception as exc:
                _record_failure(message, worker, exc, now)
                if isinstance(exc, _TRANSPORT_ERRORS):
                    break  # the server is down: leave the rest for the next round
                continue
            sent += _mark_sent(message, worker, now)
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection may fail too
            connection.close()
    return sent


def _build(message: OutboundEmail, connection: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        # The outbox's own headers win: the Message-ID stays the same on every attempt.
        headers={
            **(message.headers or {}),
            "Message-ID": message.message_id,
            "Auto-Submitted": "auto-generated",
        },
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _mark_sent(message: OutboundEmail, worker: str, now: datetime) -> int:
    """Mark the message sent, once: only the holder of the claim can do it."""
    changes: dict[str, Any] = {
        "status": OutboundEmail.Status.SENT,
        "sent_at": now,
        "last_attempt_at": now,
        "attempts": F("attempts") + 1,
        "claimed_by": "",
        "claimed_until": None,
    }
    if message.sensitive:
        changes.update(body_text="", body_html="")
    return OutboundEmail.objects.filter(
        pk=message.pk, claimed_by=worker, status=OutboundEmail.Status.PENDING
    ).update(**changes)


def _record_failure(message: OutboundEmail, worker: str, exc: Exception, now: datetime) -> None:
    attempts = message.attempts + 1
    gave_up = attempts >= settings.MAIL_MAX_ATTEMPTS
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("E-mail %s attempt %s failed: %s", message.pk, attempts, error)
    OutboundEmail.objects.filter(pk=message.pk, claimed_by=worker).update(
        attempts=attempts,
        last_error=error,
        last_attempt_at=now,
        next_attempt_at=now + backoff(attempts),
        status=OutboundEmail.Status.FAILED if gave_up else OutboundEmail.Status.PENDING,
        claimed_by="",
        claimed_until=None,
    )


def retry_now(ids: Iterable[int]) -> int:
    """Put failed or waiting messages back in the queue, due at once (operator action)."""
    return OutboundEmail.objects.filter(
        pk__in=list(ids),
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED],
    ).update(
        status=OutboundEmail.Status.PENDING, next_attempt_at=timezone.now(), claimed_until=None
    )
