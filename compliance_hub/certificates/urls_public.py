"""Public certificate verification: no sign-in, rate limited, never cached."""

from django.urls import path

from compliance_hub.certificates.views import verify

urlpatterns = [
    path("v/<str:number>/<str:code>/", verify.verify, name="verify"),
    path("verify/", verify.verify_form, name="verify_form"),
]
