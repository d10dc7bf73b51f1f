"""API-grid expectations: matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback."""

from __future__ import annotations

from peerhaven.api.tests.api_grid_rules import Operation

OPERATIONS: list[Operation] = []
