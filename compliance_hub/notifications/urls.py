from django.urls import path

from compliance_hub.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.settings_page, name="settings"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
