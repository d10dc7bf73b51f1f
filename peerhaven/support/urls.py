"""support routes: each concern keeps its own list (urls_<concern>.py), mounted here under one namespace."""

from __future__ import annotations

from peerhaven.support.urls_booking import urlpatterns as booking_urlpatterns
from peerhaven.support.urls_matching import urlpatterns as matching_urlpatterns

app_name = "support"

urlpatterns = [*booking_urlpatterns, *matching_urlpatterns]
