"""Permission-grid expectations: supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

from peerhaven.core.tests.grid_rules import Route

ROUTES: list[Route] = []
