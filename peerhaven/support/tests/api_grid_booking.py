"""API-grid expectations: supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

from typing import Any

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import Operation, verified_op
from peerhaven.support.tests.grid_booking import make_booking, make_supporter


def _supporter_of(owner: Any) -> dict[str, Any]:
    from peerhaven.support.models import SupporterProfile

    supporter = SupporterProfile.objects.filter(user=owner).first() or make_supporter(owner)
    return {"supporter_id": supporter.pk}


def _booking_of(owner: Any) -> dict[str, Any]:
    return {"booking_id": make_booking(seeker=owner).pk}


# A time beyond every supporter's horizon: the owner's move is refused as a conflict (409).
_FAR_AWAY = {"starts_at": "2031-01-06T10:00:00Z"}

OPERATIONS = [
    Operation("get", "/api/v1/support/supporters/{supporter_id}/slots", verified_op(200), TokenScope.SUPPORT_READ,
              make_path=_supporter_of),
    Operation("get", "/api/v1/support/bookings", verified_op(200), TokenScope.SUPPORT_READ),
    # No such supporter (the grid cannot put a fresh id in a body): verified members get 404.
    Operation("post", "/api/v1/support/bookings", verified_op(404), TokenScope.SUPPORT_WRITE,
              body={"supporter_id": 2_000_000_000, "starts_at": "2031-01-06T10:00:00Z", "length_minutes": 50},
              owner_status=404),
    # Sessions are for their two participants only.
    Operation("get", "/api/v1/support/bookings/{booking_id}", verified_op(404), TokenScope.SUPPORT_READ,
              make_path=_booking_of),
    Operation("post", "/api/v1/support/bookings/{booking_id}/cancel", verified_op(404), TokenScope.SUPPORT_WRITE,
              make_path=_booking_of),
    Operation("post", "/api/v1/support/bookings/{booking_id}/reschedule", verified_op(404), TokenScope.SUPPORT_WRITE,
              make_path=_booking_of, body=_FAR_AWAY, owner_status=409),
    Operation("post", "/api/v1/support/calendar-feed", verified_op(201), TokenScope.SUPPORT_WRITE, owner_status=201),
    Operation("delete", "/api/v1/support/calendar-feed", verified_op(204), TokenScope.SUPPORT_WRITE, owner_status=204),
]
