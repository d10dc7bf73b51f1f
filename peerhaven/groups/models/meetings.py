"""groups models: recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues."""

from __future__ import annotations
