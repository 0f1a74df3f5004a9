"""Top-level URL map. Each app owns its own ``urls.py``."""

from django.contrib import admin
from django.urls import include, path

from compliance_hub.core import health
from compliance_hub.facilities.views import home

admin.site.site_header = "Compliance Hub operator admin"
admin.site.site_title = "Compliance Hub admin"

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("compliance_hub.accounts.urls")),
    path("", include("compliance_hub.facilities.urls")),
    path("", include("compliance_hub.certificates.urls")),
    path("", include("compliance_hub.audits.urls")),
    path("", include("compliance_hub.auditors.urls")),
    path("", include("compliance_hub.passkeys.urls")),
    path("", include("compliance_hub.sso.urls")),
    path("", include("compliance_hub.activity.urls")),
    path("", include("compliance_hub.notifications.urls")),
    path("", include("compliance_hub.partner_api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
