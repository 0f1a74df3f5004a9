"""The notification settings page, and the one-click unsubscribe address in every e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import person_of
from compliance_hub.notifications import links, queries, services
from compliance_hub.notifications.forms import PreferencesForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """A facility person's two choices; anyone else signed in: 404 (nothing to set)."""
    person = person_of(request.user)
    if not queries.is_facility_person(person):
        raise Http404("No notifications")
    current = queries.preferences_of(person)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            _, changed = services.save_preferences(
                person, ip=client_ip(request), **form.cleaned_data
            )
            messages.success(
                request,
                "Saved: " + ", ".join(changed) + "." if changed else "Nothing to change.",
            )
            return redirect("notifications:settings")
    else:
        form = PreferencesForm(initial={kind: getattr(current, kind) for kind in queries.KINDS})
    return render(request, "notifications/settings.html", {"form": form, "notifications_nav": True})


# Mail clients POST here without cookies or a CSRF token (RFC 8058); the signed token is
# the credential, and all it can do is turn one kind of e-mail off for one person.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (link scanners follow links; they must not unsubscribe).
    POST: the one-click unsubscribe."""
    found = links.read_unsubscribe_token(token)
    if found is None:
        raise Http404("No such unsubscribe link")
    person_id, kind = found
    context = {"label": services.LABELS[kind], "settings_url": links.settings_url()}
    if request.method == "POST":
        if not services.unsubscribe(person_id, kind, ip=client_ip(request)):
            raise Http404("No such unsubscribe link")
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "notifications/unsubscribe.html", context)
