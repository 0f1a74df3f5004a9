"""The partner console under /partner/ (names in the ``partner_api`` namespace)."""

from django.urls import path

from compliance_hub.partner_api.console import activity, facilities, keys, program, webhooks

urlpatterns = [
    path("", facilities.facility_list, name="console"),
    path("facilities/<int:facility_id>/", facilities.facility_detail, name="console_facility"),
    path(
        "facilities/<int:facility_id>/bulk-download/",
        facilities.bulk_download,
        name="console_bulk_download",
    ),
    path("facilities/<int:facility_id>/invite/", facilities.invite, name="console_invite"),
    path(
        "facilities/<int:facility_id>/invitations/<int:invitation_id>/revoke/",
        facilities.revoke_invitation,
        name="console_revoke_invitation",
    ),
    path(
        "facilities/<int:facility_id>/members/<int:membership_id>/remove/",
        facilities.remove_member,
        name="console_remove_member",
    ),
    path("program/", program.program, name="console_program"),
    path(
        "program/<int:partner_id>/representative/",
        program.representative,
        name="console_representative",
    ),
    path("program/lines/<int:line_id>/", program.coverage_line, name="console_coverage_line"),
    path(
        "program/lines/<int:line_id>/save/",
        program.coverage_line_save,
        name="console_coverage_line_save",
    ),
    path("keys/", keys.key_list, name="console_keys"),
    path("keys/new/", keys.key_create, name="console_key_create"),
    path("keys/<int:key_id>/revoke/", keys.key_revoke, name="console_key_revoke"),
    path("webhooks/", webhooks.endpoint_list, name="console_webhooks"),
    path("webhooks/new/", webhooks.endpoint_create, name="console_webhook_create"),
    path("webhooks/<int:endpoint_id>/", webhooks.endpoint_detail, name="console_webhook"),
    path("webhooks/<int:endpoint_id>/save/", webhooks.endpoint_save, name="console_webhook_save"),
    path(
        "webhooks/<int:endpoint_id>/enabled/",
        webhooks.endpoint_enabled,
        name="console_webhook_enabled",
    ),
    path(
        "webhooks/<int:endpoint_id>/rotate/",
        webhooks.endpoint_rotate,
        name="console_webhook_rotate",
    ),
    path(
        "webhooks/<int:endpoint_id>/delete/",
        webhooks.endpoint_delete,
        name="console_webhook_delete",
    ),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
        webhooks.redeliver,
        name="console_webhook_redeliver",
    ),
    path("activity/", activity.partner_log, name="console_activity"),
    path("activity/export.csv", activity.partner_export, name="console_activity_export"),
]
