"""/api/v1 support: a thin edge over the app's services, selectors and policies; each concern has
its own router module (api_<concern>.py), assembled here."""

from __future__ import annotations

from ninja import Router

from peerhaven.support.api_booking import router as booking_router
from peerhaven.support.api_matching import router as matching_router

router = Router()
router.add_router("", booking_router)
router.add_router("", matching_router)
