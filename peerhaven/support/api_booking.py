"""/api/v1 for supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["support"])
