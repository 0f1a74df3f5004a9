"""Passkeys (WebAuthn) and the policy that requires a passkey or single sign-on."""

from django.apps import AppConfig


class PasskeysConfig(AppConfig):
    name = "compliance_hub.passkeys"
    label = "passkeys"
    verbose_name = "Passkeys"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from compliance_hub.passkeys.policy import remember_at_sign_in

        user_logged_in.connect(remember_at_sign_in, dispatch_uid="hub_passkey_policy")
