"""Contractors, assignments and their certificates of insurance."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "compliance_hub.certificates"
    label = "certificates"
    verbose_name = "Certificates"
