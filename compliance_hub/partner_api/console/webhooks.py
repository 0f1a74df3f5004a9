"""Console pages for webhooks: the endpoints, adding one (its secret is shown once), an
endpoint's page (edit, disable/enable, rotate the secret, delete) and its delivery log with
redelivery. Who acted is passed to the webhooks services, which write the activity log.

A secret is shown the way a new API key is (``keys.py``): POST/redirect/GET, the secret waiting
in the person's server-side session until the endpoint's page takes it out as it shows it, so a
reload neither makes another endpoint or secret nor shows the secret again. The rules about
addresses, events and overlaps are the webhooks services'; these views only show their answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance_hub.core.net import client_ip
from compliance_hub.partner_api.console.access import partner_ids, staff_required
from compliance_hub.partner_api.console.webhook_forms import (
    EnabledForm,
    EndpointForm,
    NewEndpointForm,
    PageForm,
    RotateForm,
)
from compliance_hub.webhooks import queries as webhook_queries
from compliance_hub.webhooks import services
from compliance_hub.webhooks.events import EVENT_TYPES
from compliance_hub.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint

# The session entry holding just-made secrets until each endpoint's own page shows its one
# (once), keyed by endpoint id, so opening another endpoint's page first loses none:
# {"<endpoint id>": {"endpoint": id, "secret": "whsec_…", "rotated": bool}}.
SHOW_ONCE = "console_new_webhook_secrets"
PAGE_SIZE = 50

Status = WebhookDelivery.Status


# --- reading (scoped to the staff person's partners) ------------------------------------


def endpoint_for(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    """One of the staff person's partners' endpoints, else 404 (the webhooks' scoping rule)."""
    return webhook_queries.endpoint_of(partner_ids(request), endpoint_id)


def _latest(field: str) -> Subquery:
    """``field`` of the endpoint's newest delivery."""
    return Subquery(
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-id").values(field)[:1]
    )


def endpoints_for(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    """The staff person's partners' endpoints, newest first, each with its last delivery."""
    return webhook_queries.endpoints_of(partner_ids(request)).annotate(
        last_status=_latest("status"),
        last_code=_latest("last_status_code"),
        last_error=_latest("last_error"),
        last_at=_latest("last_attempt_at"),
        last_attempts=_latest("attempts"),
        last_manual=_latest("manual"),
    )


@dataclass(frozen=True)
class Row:
    """One line of the delivery log as the partner reads it."""

    delivery: WebhookDelivery
    status: str  # Delivered, Pending, Retrying, Failed
    badge: str
    latency_ms: int | None


def status_word(status: str, attempts: int, manual: bool) -> tuple[str, str]:
    """The word and badge for a delivery: a waiting one already tried (and not sent again on
    request, which is one more attempt) is "Retrying"."""
    if status == Status.DELIVERED:
        return "Delivered", "badge-ok"
    if status == Status.FAILED:
        return "Failed", "badge-bad"
    if attempts and not manual:
        return "Retrying", "badge-warn"
    return "Pending", "badge-muted"


def last_delivery(endpoint: WebhookEndpoint) -> tuple[str, str] | None:
    """The word and badge of the newest delivery ``endpoints_for`` annotated (None: none)."""
    status = getattr(endpoint, "last_status", None)
    if status is None:
        return None
    attempts = getattr(endpoint, "last_attempts", 0)
    return status_word(status, attempts, bool(getattr(endpoint, "last_manual", False)))


def status_of(delivery: WebhookDelivery) -> tuple[str, str]:
    return status_word(delivery.status, delivery.attempts, delivery.manual)


def delivery_rows(deliveries: list[WebhookDelivery]) -> list[Row]:
    """``deliveries`` with their status words and the newest attempt's latency (one query)."""
    newest = DeliveryAttempt.objects.filter(delivery=OuterRef("pk")).order_by(
        "-attempted_at", "-id"
    )
    latency = dict(
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries])
        .annotate(latency=Subquery(newest.values("latency_ms")[:1]))
        .values_list("pk", "latency")
    )
    return [Row(d, *status_of(d), latency.get(d.pk)) for d in deliveries]


def _who(request: HttpRequest) -> dict[str, Any]:
    """Who acts, for the services, which record each change in the activity log themselves."""
    return {"by": request.user, "ip": client_ip(request)}


# --- pages -------------------------------------------------------------------------------


def _keep_secret(
    request: HttpRequest, endpoint: WebhookEndpoint, secret: str, *, rotated: bool
) -> None:
    """Hold ``secret`` for ``endpoint``'s page to show once (a newer one replaces it)."""
    waiting = request.session.get(SHOW_ONCE)
    if not isinstance(waiting, dict):
        waiting = {}
    waiting[str(endpoint.pk)] = {"endpoint": endpoint.pk, "secret": secret, "rotated": rotated}
    request.session[SHOW_ONCE] = waiting


def _take_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> dict[str, Any] | None:
    """``endpoint``'s waiting secret, taken out so it is shown only this once; the secrets
    waiting for other endpoints stay."""
    waiting = request.session.get(SHOW_ONCE)
    if not isinstance(waiting, dict):
        return None
    mine = waiting.pop(str(endpoint.pk), None)
    if waiting:
        request.session[SHOW_ONCE] = waiting  # reassigned so the session saves the change
    else:
        request.session.pop(SHOW_ONCE, None)
    if isinstance(mine, dict) and isinstance(mine.get("secret"), str):
        return mine
    return None


def _endpoint_url(endpoint: WebhookEndpoint) -> str:
    return reverse("partner_api:console_webhook", args=[endpoint.pk])


def _render_list(request: HttpRequest, form: NewEndpointForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "partner_api/console/webhooks.html",
        {
            "endpoints": [(e, last_delivery(e)) for e in endpoints_for(request)],
            "partners": request.partners,  # type: ignore[attr-defined]
            "form": form,
        },
        status=status,
    )


@never_cache
@require_GET
@staff_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, NewEndpointForm(partners=request.partners))  # type: ignore[attr-defined]


@never_cache
@require_POST
@staff_required
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = NewEndpointForm(request.POST, partners=request.partners)  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(
                form.cleaned_data["partner"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                **_who(request),
            )
        except ValidationError as exc:
            form.add_validation_error(exc)
        else:
            _keep_secret(request, endpoint, secret, rotated=False)
            return redirect(_endpoint_url(endpoint) + "#secret")  # not the form's "#add"
    return _render_list(request, form, status=400)


def _render_endpoint(
    request: HttpRequest,
    endpoint: WebhookEndpoint,
    *,
    form: EndpointForm | None = None,
    rotate_form: RotateForm | None = None,
    new_secret: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    page = PageForm(request.GET)
    before = page.cleaned_data["before"] if page.is_valid() else None
    deliveries, older = webhook_queries.delivery_page(endpoint, before=before, limit=PAGE_SIZE)
    now = timezone.now()
    overlap_until: datetime | None = endpoint.previous_secret_expires_at
    if not endpoint.previous_secret or overlap_until is None or overlap_until <= now:
        overlap_until = None
    return render(
        request,
        "partner_api/console/webhook.html",
        {
            "endpoint": endpoint,
            "events": [(t, EVENT_TYPES.get(t, "")) for t in endpoint.event_types],
            "form": form
            or EndpointForm(
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.event_types,
                }
            ),
            "rotate_form": rotate_form or RotateForm(),
            "new_secret": new_secret,
            "overlap_until": overlap_until,
            "rows": delivery_rows(deliveries),
            "counts": webhook_queries.delivery_counts(endpoint),
            "older_url": f"{_endpoint_url(endpoint)}?before={older}#deliveries" if older else "",
            "newest_url": _endpoint_url(endpoint) + "#deliveries" if before else "",
            "before": before,
            "partners": request.partners,  # type: ignore[attr-defined]
        },
        status=status,
    )


@never_cache
@require_GET
@staff_required
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_for(request, endpoint_id)
    return _render_endpoint(request, endpoint, new_secret=_take_secret(request, endpoint))


@never_cache
@require_POST
@staff_required
def endpoint_save(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_for(request, endpoint_id)
    form = EndpointForm(request.POST)
    if form.is_valid():
        fields = ("url", "event_types", "description")
        before = {name: getattr(endpoint, name) for name in fields}
        try:
            services.update_endpoint(
                endpoint,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                **_who(request),
            )
        except ValidationError as exc:
            endpoint.refresh_from_db()  # the page shows what is saved; the form what was typed
            form.add_validation_error(exc)
        else:
            if any(getattr(endpoint, name) != before[name] for name in fields):
                messages.success(request, "Saved: events from now on go out as set here.")
            return redirect(_endpoint_url(endpoint) + "#top")  # the message is on top
    return _render_endpoint(request, endpoint, form=form, status=400)


@require_POST
@staff_required
def endpoint_enabled(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Disable deliveries to the endpoint (waiting ones fail) or enable them again."""
    endpoint = endpoint_for(request, endpoint_id)
    form = EnabledForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose on or off.")
    elif form.cleaned_data["enabled"] != endpoint.enabled:
        enabled = form.cleaned_data["enabled"]
        services.update_endpoint(endpoint, enabled=enabled, **_who(request))
        if enabled:
            messages.success(request, "Enabled: new events are delivered to this endpoint.")
        else:
            messages.success(request, "Disabled: nothing is sent to this endpoint until enabled.")
    return redirect(_endpoint_url(endpoint))


@never_cache
@require_POST
@staff_required
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_for(request, endpoint_id)
    form = RotateForm(request.POST)
    if form.is_valid():
        hours = form.cleaned_data["overlap_hours"]
        try:
            secret = services.rotate_secret(endpoint, overlap_hours=hours, **_who(request))
        except ValidationError as exc:
            form.add_validation_error(exc)
        else:
            _keep_secret(request, endpoint, secret, rotated=True)
            return redirect(_endpoint_url(endpoint) + "#secret")
    return _render_endpoint(request, endpoint, rotate_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """GET asks to confirm; the POST deletes."""
    endpoint = endpoint_for(request, endpoint_id)
    if request.method != "POST":
        return render(
            request,
            "partner_api/console/webhook_delete.html",
            {
                "endpoint": endpoint,
                "counts": webhook_queries.delivery_counts(endpoint),
                "partners": request.partners,  # type: ignore[attr-defined]
            },
        )
    services.delete_endpoint(endpoint, **_who(request))
    messages.success(request, f"Deleted the endpoint {endpoint.url}: nothing more is sent to it.")
    return redirect("partner_api:console_webhooks")


@require_POST
@staff_required
def redeliver(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    """Send one delivery again at once (the worker's next round), then back to the log."""
    endpoint = endpoint_for(request, endpoint_id)
    delivery = webhook_queries.delivery_of(partner_ids(request), delivery_id, endpoint=endpoint)
    event = delivery.event
    try:
        services.redeliver(delivery, **_who(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{event.type} {event.public_id} will be sent again in a moment.")
    page = PageForm(request.POST)
    before = page.cleaned_data["before"] if page.is_valid() else None
    suffix = f"?before={before}" if before else ""
    return redirect(f"{_endpoint_url(endpoint)}{suffix}#deliveries")
