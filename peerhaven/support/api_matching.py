"""/api/v1 for matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["support"])
