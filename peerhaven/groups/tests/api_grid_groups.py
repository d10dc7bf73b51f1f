"""API-grid expectations: groups, membership, agreements, threads and case presentations."""

from __future__ import annotations

from peerhaven.api.tests.api_grid_rules import Operation

OPERATIONS: list[Operation] = []
