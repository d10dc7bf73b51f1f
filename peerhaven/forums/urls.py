"""forums routes: each concern keeps its own list (urls_<concern>.py), mounted here under one namespace."""

from __future__ import annotations

from peerhaven.forums.urls_moderation import urlpatterns as moderation_urlpatterns
from peerhaven.forums.urls_posting import urlpatterns as posting_urlpatterns

app_name = "forums"

urlpatterns = [*posting_urlpatterns, *moderation_urlpatterns]
