from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "compliance_hub.demo"
    label = "demo"
    verbose_name = "Demo"
