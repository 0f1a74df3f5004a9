"""Passkeys (WebAuthn) and the policy that requires a passkey or single sign-on."""

from django.apps import AppConfig


class PasskeysConfig(AppConfig):
    name = "compliance_hub.passkeys"
    label = "passkeys"
    verbose_name = "Passkeys"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from compliance_hub.auditors.models import AuditorGrant
        from compliance_hub.facilities.models import Membership, PartnerStaff
        from compliance_hub.passkeys.policy import access_changed, remember_at_sign_in

        user_logged_in.connect(remember_at_sign_in, dispatch_uid="hub_passkey_policy")
        # Rule: access gained anywhere is checked against the policy on the next request,
        # not after STRONG_SIGN_IN_RECHECK (passkeys.policy).
        for model in (Membership, AuditorGrant, PartnerStaff):
            post_save.connect(
                access_changed, sender=model, dispatch_uid=f"hub_passkey_access_{model.__name__}"
            )
