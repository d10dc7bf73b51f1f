"""Permission-grid expectations for groups's routes, one list per concern."""

from __future__ import annotations

from peerhaven.groups.tests.grid_groups import ROUTES as GROUPS_ROUTES
from peerhaven.groups.tests.grid_meetings import ROUTES as MEETINGS_ROUTES

ROUTES = [*GROUPS_ROUTES, *MEETINGS_ROUTES]
