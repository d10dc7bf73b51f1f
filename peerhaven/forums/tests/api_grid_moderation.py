"""API-grid expectations: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library."""

from __future__ import annotations

from peerhaven.api.tests.api_grid_rules import Operation

OPERATIONS: list[Operation] = []
