"""Permission-grid expectations: matching and conflict-of-interest exclusions, search,
suggestions, calendar import, buddies, feedback. Also the small builders the matching tests use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerhaven.core.tests.grid_rules import Route, role, verified


def make_supporter(user: Any = None, *, every_day: bool = True, **fields: Any) -> Any:
    """An approved supporter (a verified member unless `user` is given), open every day from
    00:00 to 23:59 in their zone unless every_day=False."""
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.support.models import AvailabilityWindow, SupporterProfile, SupporterStatus

    user = user or make_member(verified=True, roles=("supporter",))
    values: dict[str, Any] = {
        "status": SupporterStatus.APPROVED, "approved_at": timezone.now(), "languages": ["en"],
        "specialties": ["burnout"], "jurisdictions": ["GB"], "session_lengths": [50], "time_zone": "UTC",
        "min_notice_minutes": 60, "max_per_week": 5, "max_per_month": 12, "buffer_minutes": 0,
    }
    values.update(fields)
    supporter = SupporterProfile.objects.create(user=user, **values)
    if every_day:
        AvailabilityWindow.objects.bulk_create([
            AvailabilityWindow(supporter=supporter, weekday=day, start_time=dt.time(0, 0), end_time=dt.time(23, 59))
            for day in range(7)
        ])
    return supporter


def make_completed_booking(seeker: Any, supporter: Any = None, *, starts_at: dt.datetime | None = None) -> Any:
    from peerhaven.support.models import Booking, BookingStatus

    supporter = supporter or make_supporter(every_day=False)
    starts_at = starts_at or timezone.now() - dt.timedelta(days=2)
    return Booking.objects.create(
        seeker=seeker, supporter=supporter, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=50),
        blocked_until=starts_at + dt.timedelta(minutes=50), length_minutes=50, status=BookingStatus.COMPLETED,
        completed_at=starts_at + dt.timedelta(minutes=50),
    )


def _own_buddy_link(owner: Any) -> dict[str, Any]:
    return {}


def _completed_booking_of(owner: Any) -> dict[str, Any]:
    return {"pk": make_completed_booking(owner).pk}


def _declared_by(owner: Any) -> dict[str, Any]:
    from peerhaven.support.services.matching import relationship_declare

    return {"pk": relationship_declare(actor=owner, label="someone@elsewhere.example", kind="colleague").pk}


def _never_match_of(owner: Any) -> dict[str, Any]:
    from peerhaven.support.services.matching import never_match_add

    return {"pk": never_match_add(actor=owner, label="SomePeer").pk}


# Supporters' own tools: other signed-in members who are not supporters get a 404.
def _supporter_tool(status: int = 200) -> dict[str, int]:
    expect = role("supporter", status=status)
    return expect


ROUTES = [
    Route("support:search", verified(200)),
    Route("support:suggestions", verified(200)),
    Route("support:preferences", verified(200)),
    Route("support:exclusions", verified(200)),
    Route("support:relationship_add", verified(302), method="post", data={"label": "x@y.example", "kind": "colleague"}),
    Route("support:never_match_add", verified(302), method="post", data={"label": "SomePeer"}),
    # Removing someone else's entry: a 404; the owner's own: done.
    Route("support:relationship_remove", verified(404), make_kwargs=_declared_by, owner_status=302, method="post"),
    Route("support:never_match_remove", verified(404), make_kwargs=_never_match_of, owner_status=302, method="post"),
    Route("support:feedback", verified(404), make_kwargs=_completed_booking_of, owner_status=200),
    Route("support:buddy", _supporter_tool(200)),
    Route("support:buddy_debrief", _supporter_tool(302), method="post"),
    Route("support:calendar_import", _supporter_tool(200)),
    Route("support:calendar_import_refresh", _supporter_tool(302), method="post"),
    Route("support:feedback_aggregates", role("staff")),
]
