"""Certificate URLs: the facility portal (signed in) and public verification."""

from django.urls import include, path

app_name = "certificates"
urlpatterns = [
    path("", include("compliance_hub.certificates.urls_portal")),
    path("", include("compliance_hub.certificates.urls_public")),
    path("", include("compliance_hub.certificates.urls_exports")),
]
