"""API-grid expectations: supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

from peerhaven.api.tests.api_grid_rules import Operation

OPERATIONS: list[Operation] = []
