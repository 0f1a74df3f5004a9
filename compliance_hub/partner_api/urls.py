"""The partner API under /api/v1/, its guide at /api/guide/, the partner console under /partner/."""

from django.urls import include, path, re_path

from compliance_hub.partner_api.api.app import api
from compliance_hub.partner_api.api.guard import guard_patterns, not_found
from compliance_hub.partner_api.guide import api_guide

app_name = "partner_api"

_api_patterns, _api_app, _api_namespace = api.urls

urlpatterns = [
    path("api/guide/", api_guide, name="api_guide"),
    path("api/v1/", include((guard_patterns(_api_patterns), _api_app), namespace=_api_namespace)),
    re_path(r"^api/v1(/|$)", not_found, name="api_not_found"),
    path("partner/", include("compliance_hub.partner_api.console.urls")),
]
