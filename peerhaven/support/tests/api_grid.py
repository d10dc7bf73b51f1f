"""API-grid expectations for support's operations, one list per concern."""

from __future__ import annotations

from peerhaven.support.tests.api_grid_booking import OPERATIONS as BOOKING_OPERATIONS
from peerhaven.support.tests.api_grid_matching import OPERATIONS as MATCHING_OPERATIONS

OPERATIONS = [*BOOKING_OPERATIONS, *MATCHING_OPERATIONS]
