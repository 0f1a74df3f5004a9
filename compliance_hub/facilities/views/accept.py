"""Answering an invitation: from its e-mailed link (which shows who invited whom to what;
only a POST answers), or signed in, from the list of invitations waiting for the person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance_hub.accounts import services as sign_in
from compliance_hub.accounts import sessions, tokens
from compliance_hub.accounts.models import SignInToken
from compliance_hub.core.net import client_ip
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Invitation, Membership
from compliance_hub.facilities.queries import open_invitations, person_of

PURPOSE = SignInToken.Purpose.INVITATION
PENDING = "hub_invitation"  # SHA-256 of the invitation token opened in this browser


def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """Move a real token from the URL into the session, then go to a URL without it.

    A made-up token is answered at once and stores nothing (no session); past the client's
    limit of failures the answer is 429 (as for sign-in links).
    """
    token_hash = tokens.hash_secret(token)
    if tokens.find(token_hash) is None:
        allowed = sign_in.record_failure("unknown", ip=client_ip(request), purpose=PURPOSE)
        return _unavailable(request, status=410 if allowed else 429)
    request.session[PENDING] = token_hash
    return sessions.private(redirect("facilities:invitation_accept"))


def _problem(token: SignInToken | None) -> str:
    problem = tokens.state(token, PURPOSE)
    if problem == "ok" and token is not None and token.invitation is not None:
        if token.invitation.revoked_at is not None:
            return "revoked"
        if not token.invitation.is_pending:
            return "used" if token.invitation.accepted_at else "expired"
    return problem


def _opened(request: HttpRequest) -> SignInToken | None:
    """The usable invitation token opened in this browser; a failure is recorded."""
    pending = request.session.get(PENDING)
    token = tokens.find(pending)
    problem = _problem(token)
    if problem == "ok" and token is not None and token.invitation is not None:
        return token
    if pending:
        sign_in.record_failure(problem, ip=client_ip(request), purpose=PURPOSE)
    return None


def _describe(invitation: Invitation) -> dict[str, object]:
    facilities = list(invitation.facilities.select_related("partner"))
    return {
        "invitation": invitation,
        "inviter": invitations.inviter_name(invitation, facilities),
        "facilities": facilities,
        "names": ", ".join(f.name for f in facilities),
        "role": Membership.Role(invitation.role).label,
    }


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """GET: what the invitation is for, with Accept and Decline. POST: accept and sign in."""
    token = _opened(request)
    if token is None or token.invitation is None:
        return _unavailable(request)
    invitation = token.invitation
    if request.method == "POST":
        try:
            with transaction.atomic():
                person = invitations.accept(token, ip=client_ip(request))
                sign_in.start_session(request, person, method="invitation")
        except invitations.InvitationUnavailable:
            sign_in.record_failure("used", ip=client_ip(request), purpose=PURPOSE)
            return _unavailable(request)
        request.session.pop(PENDING, None)
        return sessions.private(redirect("/"))
    context = {
        **_describe(invitation),
        "masked_email": sign_in.mask_email(invitation.email),
        "other_user": request.user
        if request.user.is_authenticated and request.user.email != invitation.email
        else None,
    }
    return sessions.private(render(request, "facilities/invitation_accept.html", context))


@require_POST
def invitation_decline(request: HttpRequest) -> HttpResponse:
    """Decline the invitation opened in this browser; nobody is signed in or out."""
    token = _opened(request)
    if token is None or token.invitation is None:
        return _unavailable(request)
    try:
        invitations.decline(token.invitation)
    except invitations.InvitationUnavailable:
        return _unavailable(request)
    request.session.pop(PENDING, None)
    return sessions.private(redirect("facilities:invitation_declined"))


@require_GET
def invitation_declined(request: HttpRequest) -> HttpResponse:
    """After a decline (POST/redirect/GET: reloading repeats nothing). Says nothing about
    any invitation, so it may be shown to anyone."""
    return sessions.private(render(request, "facilities/invitation_declined.html"))


def _unavailable(request: HttpRequest, status: int = 410) -> HttpResponse:
    return sessions.private(render(request, "facilities/invitation_problem.html", status=status))


@require_POST
def invitation_renew(request: HttpRequest) -> HttpResponse:
    """One click for a fresh link, sent to the invited address (never shown here).

    An open invitation is re-sent; an accepted one gets a sign-in link instead.
    """
    token = tokens.find(request.session.get(PENDING))
    invitation = token.invitation if token is not None else None
    ip = client_ip(request)
    if (
        token is not None
        and token.purpose == PURPOSE
        and invitation is not None
        and sign_in.within_limits(invitation.email, ip=ip)
    ):
        if invitation.accepted_by is not None and sign_in.has_access(invitation.accepted_by):
            sign_in.send_sign_in_link(invitation.accepted_by, ip=ip)
        elif invitation.accepted_at is None and invitation.revoked_at is None:
            invitations.renew(invitation, ip=ip)
    return sessions.private(redirect("facilities:invitation_renewed"))


@require_GET
def invitation_renewed(request: HttpRequest) -> HttpResponse:
    """ "If that invitation can still be used, a new link is on its way": the same words for
    everyone, so reloading neither sends another link nor tells anything."""
    return sessions.private(render(request, "facilities/invitation_renewed.html"))


# --- signed in: the invitations waiting for the person ----------------------------------


@login_required
@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """Open invitations addressed to the signed-in person, each to accept or decline."""
    waiting = open_invitations(person_of(request.user).email).select_related(
        "invited_by", "invited_by_partner"
    )
    context = {"invitations": [_describe(i) for i in waiting.order_by("-created_at")]}
    return render(request, "facilities/pending.html", context)


@login_required
@require_POST
def pending_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        facilities = invitations.accept_as(
            person_of(request.user), invitation_id, ip=client_ip(request)
        )
    except invitations.InvitationUnavailable:
        raise Http404("No such invitation") from None
    messages.success(request, f"You now have access to {', '.join(f.name for f in facilities)}.")
    if not facilities:
        return redirect("/")
    return redirect("certificates:table", facility_id=facilities[0].pk)


@login_required
@require_POST
def pending_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = open_invitations(person_of(request.user).email).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    try:
        invitations.decline(invitation)
    except invitations.InvitationUnavailable:
        raise Http404("No such invitation") from None
    messages.success(request, "Invitation declined.")
    return redirect("facilities:pending")
