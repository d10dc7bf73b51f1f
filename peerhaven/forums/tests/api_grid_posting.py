"""API-grid expectations: communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes."""

from __future__ import annotations

from peerhaven.api.tests.api_grid_rules import Operation

OPERATIONS: list[Operation] = []
