"""/api/v1 for flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["forums"])
