"""forums models: communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes."""

from __future__ import annotations
