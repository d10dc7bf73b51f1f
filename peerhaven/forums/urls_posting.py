"""Routes for communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
