from django.urls import path

from peerhaven.core import views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("services/", views.services, name="services"),
    path("contact/", views.contact, name="contact"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("hello", views.hello, name="hello"),
    path("home/", views.home, name="home"),
    path("programmes/<slug:slug>/", views.programme, name="programme"),
    path("passkey-required/", views.passkey_required, name="passkey_required"),
    path("staff/audit/", views.audit_log_view, name="audit_log"),
]
