"""Permission-grid expectations: groups, membership, agreements, threads and case presentations."""

from __future__ import annotations

from peerhaven.core.tests.grid_rules import Route

ROUTES: list[Route] = []
