"""Permission-grid expectations for support's routes, one list per concern."""

from __future__ import annotations

from peerhaven.support.tests.grid_booking import ROUTES as BOOKING_ROUTES
from peerhaven.support.tests.grid_matching import ROUTES as MATCHING_ROUTES

ROUTES = [*BOOKING_ROUTES, *MATCHING_ROUTES]
