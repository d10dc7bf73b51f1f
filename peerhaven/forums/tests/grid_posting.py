"""Permission-grid expectations: communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes."""

from __future__ import annotations

from peerhaven.core.tests.grid_rules import Route

ROUTES: list[Route] = []
