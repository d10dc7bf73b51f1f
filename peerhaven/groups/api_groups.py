"""/api/v1 for groups, membership, agreements, threads and case presentations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["groups"])
