"""People and magic-link sign-in."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "compliance_hub.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"
