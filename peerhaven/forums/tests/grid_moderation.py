"""Permission-grid expectations: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library."""

from __future__ import annotations

from peerhaven.core.tests.grid_rules import Route

ROUTES: list[Route] = []
