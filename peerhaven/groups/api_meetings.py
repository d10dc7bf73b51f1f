"""/api/v1 for recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["groups"])
