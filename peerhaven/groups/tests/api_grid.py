"""API-grid expectations for groups's operations, one list per concern."""

from __future__ import annotations

from peerhaven.groups.tests.api_grid_groups import OPERATIONS as GROUPS_OPERATIONS
from peerhaven.groups.tests.api_grid_meetings import OPERATIONS as MEETINGS_OPERATIONS

OPERATIONS = [*GROUPS_OPERATIONS, *MEETINGS_OPERATIONS]
