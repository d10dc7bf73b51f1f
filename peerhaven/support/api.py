"""/api/v1 support: a thin edge over the app's services, selectors and policies."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["support"])
