"""groups routes: each concern keeps its own list (urls_<concern>.py), mounted here under one namespace."""

from __future__ import annotations

from peerhaven.groups.urls_groups import urlpatterns as groups_urlpatterns
from peerhaven.groups.urls_meetings import urlpatterns as meetings_urlpatterns

app_name = "groups"

urlpatterns = [*groups_urlpatterns, *meetings_urlpatterns]
