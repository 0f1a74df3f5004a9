"""Single sign-on: a partner's or facility's OpenID Connect provider, and signing in with it."""

from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "compliance_hub.sso"
    label = "sso"
    verbose_name = "Single sign-on"
