"""Permission-grid expectations: recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues."""

from __future__ import annotations

from peerhaven.core.tests.grid_rules import Route

ROUTES: list[Route] = []
