"""Console pages for API keys: list, create (the key is shown once), revoke.

Creating a key is POST/redirect/GET: the new key waits in the person's session (server-side)
and the list page takes it out as it shows it, so reloading that page neither creates another
key nor shows this one again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.activity.models import Activity
from compliance_hub.core.net import client_ip
from compliance_hub.partner_api import keys
from compliance_hub.partner_api.console.access import key_for, partner_ids, staff_required
from compliance_hub.partner_api.console.forms import ApiKeyForm
from compliance_hub.partner_api.models import ApiKey

# The session entry holding a just-created key until the list page shows it (once).
NEW_KEY = "console_new_api_key"


def _render(
    request: HttpRequest,
    form: ApiKeyForm,
    *,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    ids = partner_ids(request)
    return render(
        request,
        "partner_api/console/keys.html",
        {
            "keys": ApiKey.objects.filter(partner_id__in=ids).select_related(
                "partner", "created_by", "revoked_by"
            ),
            "form": form,
            "new_key": new_key,
            "partners": request.partners,  # type: ignore[attr-defined]
            "activity": Activity.objects.filter(
                partner_id__in=ids,
                verb__in=[Activity.Verb.API_KEY_CREATED, Activity.Verb.API_KEY_REVOKED],
            ).order_by("-at", "-id")[:20],
        },
        status=status,
    )


@never_cache
@require_GET
@staff_required
def key_list(request: HttpRequest) -> HttpResponse:
    new_key = request.session.pop(NEW_KEY, "")
    form = ApiKeyForm(partners=request.partners)  # type: ignore[attr-defined]
    return _render(request, form, new_key=new_key if isinstance(new_key, str) else "")


@never_cache
@require_POST
@staff_required
def key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST, partners=request.partners)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _render(request, form, status=400)
    _, raw = keys.create_key(
        form.cleaned_data["partner"],
        name=form.cleaned_data["name"],
        created_by=request.user,
        ip=client_ip(request),
    )
    request.session[NEW_KEY] = raw
    return redirect("partner_api:console_keys")


@require_POST
@staff_required
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = key_for(request, key_id)
    if keys.revoke_key(key, by=request.user, ip=client_ip(request)):
        messages.success(request, f"The key {key.prefix}… no longer works.")
    else:
        messages.info(request, f"The key {key.prefix}… was already revoked.")
    return redirect("partner_api:console_keys")
