from django.urls import path

from compliance_hub.passkeys.views import manage, organisation, sign_in

app_name = "passkeys"
urlpatterns = [
    path("passkeys/", manage.passkey_list, name="list"),
    path("passkeys/register/options/", manage.register_options, name="register_options"),
    path("passkeys/register/", manage.register, name="register"),
    path("passkeys/<int:passkey_id>/rename/", manage.rename, name="rename"),
    path("passkeys/<int:passkey_id>/remove/", manage.remove, name="remove"),
    path("passkeys/required/", sign_in.required, name="required"),
    path("passkeys/confirm/options/", sign_in.confirm_options, name="confirm_options"),
    path("passkeys/confirm/", sign_in.confirm, name="confirm"),
    path("sign-in/passkey/options/", sign_in.sign_in_options, name="sign_in_options"),
    path("sign-in/passkey/", sign_in.sign_in, name="sign_in"),
    path(
        "facilities/<int:facility_id>/team/sign-in-policy/",
        organisation.team_policy,
        name="team_policy",
    ),
    path(
        "facilities/<int:facility_id>/team/members/<int:membership_id>/reset-passkeys/",
        organisation.team_reset,
        name="team_reset",
    ),
    path("partner/sign-in/", organisation.console_staff, name="console_staff"),
    path(
        "partner/sign-in/<int:partner_id>/policy/",
        organisation.console_partner_policy,
        name="console_partner_policy",
    ),
    path(
        "partner/sign-in/staff/<int:staff_id>/reset-passkeys/",
        organisation.console_staff_reset,
        name="console_staff_reset",
    ),
    path(
        "partner/facilities/<int:facility_id>/sign-in-policy/",
        organisation.console_facility_policy,
        name="console_facility_policy",
    ),
    path(
        "partner/facilities/<int:facility_id>/members/<int:membership_id>/reset-passkeys/",
        organisation.console_member_reset,
        name="console_member_reset",
    ),
]
