"""Top-level URL map: each app owns its own urls.py; the API assembles each app's router."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from peerhaven.accounts.views import language_set
from peerhaven.api.api import api

urlpatterns = [
    path("", include("peerhaven.core.urls")),
    # /staff/site/ (before the staff console's include), /site.css and /site/logo/.
    path("", include("peerhaven.sitesettings.urls")),
    # allauth.usersessions' own list is replaced by the member's sessions page (accounts app).
    path("accounts/sessions/", RedirectView.as_view(pattern_name="accounts:sessions")),
    path("accounts/", include("allauth.urls")),
    # Django's set_language under its usual name, wrapped so that visitors may use it too
    # (LoginRequiredMiddleware would close django.conf.urls.i18n's route to them) and so that
    # a member's choice is kept on their profile.
    path("i18n/setlang/", language_set, name="set_language"),
    path("me/", include("peerhaven.accounts.urls")),
    path("verification/", include("peerhaven.verification.urls")),
    path("notifications/", include("peerhaven.notifications.urls")),
    path("safety/", include("peerhaven.safety.urls")),
    path("live/", include("peerhaven.live.urls")),
    path("t4t/", include("peerhaven.support.urls")),
    path("groups/", include("peerhaven.groups.urls")),
    path("community/", include("peerhaven.forums.urls")),
    path("api/v1/", api.urls),
    path("api-tokens/", include("peerhaven.api.urls")),
    path("staff/", include("peerhaven.staff.urls")),
    path("django-admin/", admin.site.urls),
]
