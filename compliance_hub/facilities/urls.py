from django.urls import path, re_path

from compliance_hub.facilities.views import accept, overview, team

app_name = "facilities"
urlpatterns = [
    path("facilities/<int:facility_id>/", overview.overview, name="overview"),
    path("facilities/<int:facility_id>/team/", team.team, name="team"),
    path("facilities/<int:facility_id>/team/invite/", team.invite, name="team_invite"),
    path("facilities/<int:facility_id>/team/leave/", team.leave, name="team_leave"),
    path(
        "facilities/<int:facility_id>/team/members/<int:membership_id>/remove/",
        team.remove,
        name="team_remove",
    ),
    path(
        "facilities/<int:facility_id>/team/invitations/<int:invitation_id>/resend/",
        team.resend,
        name="team_resend",
    ),
    path(
        "facilities/<int:facility_id>/team/invitations/<int:invitation_id>/revoke/",
        team.revoke,
        name="team_revoke",
    ),
    path("invitations/", accept.pending, name="pending"),
    path("invitations/<int:invitation_id>/accept/", accept.pending_accept, name="pending_accept"),
    path(
        "invitations/<int:invitation_id>/decline/", accept.pending_decline, name="pending_decline"
    ),
    path("invitations/accept/", accept.invitation_accept, name="invitation_accept"),
    path("invitations/decline/", accept.invitation_decline, name="invitation_decline"),
    path("invitations/declined/", accept.invitation_declined, name="invitation_declined"),
    path("invitations/renew/", accept.invitation_renew, name="invitation_renew"),
    path("invitations/renewed/", accept.invitation_renewed, name="invitation_renewed"),
    re_path(
        r"^invitations/(?P<token>[A-Za-z0-9_\-]{20,100})/$",
        accept.invitation_link,
        name="invitation_link",
    ),
]
