"""/api/v1 groups: a thin edge over the app's services, selectors and policies; each concern has
its own router module (api_<concern>.py), assembled here."""

from __future__ import annotations

from ninja import Router

from peerhaven.groups.api_groups import router as groups_router
from peerhaven.groups.api_meetings import router as meetings_router

router = Router()
router.add_router("", groups_router)
router.add_router("", meetings_router)
