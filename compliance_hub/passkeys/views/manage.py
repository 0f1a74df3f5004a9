"""A signed-in person's passkeys: list, add (the registration ceremony), rename, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance_hub.accounts.redirects import after_sign_in
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import person_of
from compliance_hub.passkeys import policy, queries, services
from compliance_hub.passkeys.ceremony import CeremonyError
from compliance_hub.passkeys.forms import PasskeyNameForm
from compliance_hub.passkeys.models import Passkey
from compliance_hub.passkeys.views.json import answer, body, refused


@login_required
@require_GET
def passkey_list(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    context = {"passkeys": list(queries.passkeys_of(person)), "form": PasskeyNameForm()}
    return render(request, "passkeys/list.html", context)


def _may_register(request: HttpRequest) -> bool:
    """While the passkey step waits, only a first passkey may be added: someone holding just
    the e-mailed link must not add their own next to the person's (they must confirm)."""
    person = person_of(request.user)
    return not policy.step_pending(request) or not queries.has_passkeys(person.pk)


@login_required
@require_POST
def register_options(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if not _may_register(request):
        return refused("Confirm with one of your passkeys first.", status=403)
    return answer({"ok": True, **services.begin_registration(person)})


@login_required
@require_POST
def register(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if not _may_register(request):
        return refused("Confirm with one of your passkeys first.", status=403)
    data = body(request)
    if data is None:
        return refused("That didn't work. Try again.")
    pending = policy.step_pending(request)
    try:
        passkey = services.finish_registration(
            person,
            data.get("ceremony"),
            data.get("credential"),
            data.get("name"),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return refused(" ".join(exc.messages))
    except CeremonyError:
        return refused("Your browser's answer could not be checked. Try again.")
    if pending:  # the first passkey, set up right after the e-mailed link
        policy.mark_done(request)
    messages.success(request, f"Passkey “{passkey.name}” added. You can now sign in with it.")
    destination = reverse("passkeys:list")
    if pending:
        destination = after_sign_in(data.get("next") if isinstance(data.get("next"), str) else "")
    return answer({"ok": True, "redirect": destination})


def _own(request: HttpRequest, passkey_id: int) -> Passkey:
    person = person_of(request.user)
    passkey = Passkey.objects.filter(pk=passkey_id, person=person).first()
    if passkey is None:
        raise Http404("No such passkey")
    return passkey


@login_required
@require_POST
def rename(request: HttpRequest, passkey_id: int) -> HttpResponse:
    passkey = _own(request, passkey_id)
    form = PasskeyNameForm(request.POST)
    if form.is_valid():
        services.rename(passkey, form.cleaned_data["name"], ip=client_ip(request))
        messages.success(request, f"Passkey renamed to “{passkey.name}”.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("name", [])))
    return redirect("passkeys:list")


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """GET: "Remove this passkey?"; POST: remove it."""
    passkey = _own(request, passkey_id)
    if request.method == "GET":
        return render(request, "passkeys/remove.html", {"passkey": passkey})
    services.remove(passkey, ip=client_ip(request))
    messages.success(request, f"Passkey “{passkey.name}” removed. It can no longer sign you in.")
    return redirect("passkeys:list")
