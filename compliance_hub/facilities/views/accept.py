"""Opening an invitation link: shows who invited whom to what; only the POST accepts."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from compliance_hub.accounts import services as sign_in
from compliance_hub.accounts import sessions, tokens
from compliance_hub.accounts.models import SignInToken
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Membership

PURPOSE = SignInToken.Purpose.INVITATION
PENDING = "hub_invitation"  # SHA-256 of the invitation token opened in this browser


def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """Move the token from the URL into the session, then go to a URL without it."""
    request.session[PENDING] = tokens.hash_secret(token)
    return sessions.private(redirect("facilities:invitation_accept"))


def _problem(token: SignInToken | None) -> str:
    problem = tokens.state(token, PURPOSE)
    if problem == "ok" and token is not None and token.invitation is not None:
        if token.invitation.revoked_at is not None:
            return "revoked"
        if not token.invitation.is_pending:
            return "used" if token.invitation.accepted_at else "expired"
    return problem


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """GET: what the invitation is for, with an Accept button. POST: accept and sign in."""
    pending = request.session.get(PENDING)
    token = tokens.find(pending)
    problem = _problem(token)
    if problem != "ok" or token is None or token.invitation is None:
        if pending:
            sign_in.record_failure(request, problem, purpose=PURPOSE)
        return _unavailable(request)
    invitation = token.invitation
    if request.method == "POST":
        try:
            with transaction.atomic():
                person = invitations.accept(token, request=request)
                sign_in.start_session(request, person, method="invitation")
        except invitations.InvitationUnavailable:
            sign_in.record_failure(request, "used", purpose=PURPOSE)
            return _unavailable(request)
        request.session.pop(PENDING, None)
        return sessions.private(redirect("/"))
    facilities = list(invitation.facilities.select_related("partner"))
    context = {
        "invitation": invitation,
        "masked_email": sign_in.mask_email(invitation.email),
        "inviter": invitations.inviter_name(invitation, facilities),
        "facilities": facilities,
        "role": Membership.Role(invitation.role).label,
        "other_user": request.user
        if request.user.is_authenticated and request.user.email != invitation.email
        else None,
    }
    return sessions.private(render(request, "facilities/invitation_accept.html", context))


def _unavailable(request: HttpRequest) -> HttpResponse:
    return sessions.private(render(request, "facilities/invitation_problem.html", status=410))


@require_POST
def invitation_renew(request: HttpRequest) -> HttpResponse:
    """One click for a fresh link, sent to the invited address (never shown here).

    An open invitation is re-sent; an accepted one gets a sign-in link instead.
    """
    token = tokens.find(request.session.get(PENDING))
    invitation = token.invitation if token is not None else None
    if (
        token is not None
        and token.purpose == PURPOSE
        and invitation is not None
        and sign_in.within_limits(request, invitation.email)
    ):
        if invitation.accepted_by is not None and sign_in.has_access(invitation.accepted_by):
            sign_in.send_sign_in_link(invitation.accepted_by, request=request)
        elif invitation.accepted_at is None and invitation.revoked_at is None:
            invitations.renew(invitation, request=request)
    return sessions.private(render(request, "facilities/invitation_renewed.html"))
