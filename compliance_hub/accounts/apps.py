"""People and magic-link sign-in."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "compliance_hub.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from compliance_hub.accounts.middleware import mark_signed_in

        user_logged_in.connect(mark_signed_in, dispatch_uid="hub_mark_signed_in")
