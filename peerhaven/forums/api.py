"""/api/v1 forums: a thin edge over the app's services, selectors and policies; each concern has
its own router module (api_<concern>.py), assembled here."""

from __future__ import annotations

from ninja import Router

from peerhaven.forums.api_moderation import router as moderation_router
from peerhaven.forums.api_posting import router as posting_router

router = Router()
router.add_router("", posting_router)
router.add_router("", moderation_router)
