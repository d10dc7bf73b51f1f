"""/api/v1 for communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["forums"])
