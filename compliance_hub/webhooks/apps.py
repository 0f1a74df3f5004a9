from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "compliance_hub.webhooks"
    label = "webhooks"
    verbose_name = "Partner webhooks"
