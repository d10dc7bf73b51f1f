"""API-grid expectations: recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues."""

from __future__ import annotations

from peerhaven.api.tests.api_grid_rules import Operation

OPERATIONS: list[Operation] = []
