from django.urls import path  # noqa: F401

app_name = "partner_api"
urlpatterns: list = []
