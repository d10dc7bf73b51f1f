"""support models: supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations
