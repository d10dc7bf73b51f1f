"""Permission-grid expectations: matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback."""

from __future__ import annotations

from peerhaven.core.tests.grid_rules import Route

ROUTES: list[Route] = []
