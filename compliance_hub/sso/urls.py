"""Single sign-on: the provider's way back, and the pages that configure a provider."""

from django.urls import path

from compliance_hub.sso import views

app_name = "sso"
urlpatterns = [
    path("sign-in/sso/callback/", views.callback, name="callback"),
    path("sign-in/sso/email-link/", views.email_link, name="email_link"),
    path("partner/single-sign-on/", views.console, name="console"),
    path("partner/single-sign-on/<int:partner_id>/", views.console_save, name="console_save"),
    path("facilities/<int:facility_id>/single-sign-on/", views.facility, name="facility"),
    path(
        "facilities/<int:facility_id>/single-sign-on/save/",
        views.facility_save,
        name="facility_save",
    ),
]
