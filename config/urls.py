"""Top-level URL map: each app owns its own urls.py; the API assembles each app's router."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from peerhaven.api.api import api

urlpatterns = [
    path("", include("peerhaven.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("peerhaven.accounts.urls")),
    path("verification/", include("peerhaven.verification.urls")),
    path("notifications/", include("peerhaven.notifications.urls")),
    path("safety/", include("peerhaven.safety.urls")),
    path("api/v1/", api.urls),
    path("api-tokens/", include("peerhaven.api.urls")),
    path("django-admin/", admin.site.urls),
]
