"""Permission-grid expectations: supporters, availability, slots, bookings, calendar (.ics and feed).

Also the booking concern's test builders (`make_supporter`, `make_booking`), shared by the grid,
the API grid and the booking tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerhaven.core.tests.grid_rules import Route, public, role, verified


def make_supporter(
    user: Any = None,
    *,
    time_zone: str = "UTC",
    lengths: tuple[int, ...] = (50,),
    windows: tuple[tuple[int, str, str], ...] | None = None,
    min_notice_minutes: int = 0,
    buffer_minutes: int = 10,
    horizon_days: int = 60,
    max_per_week: int = 40,
    max_per_month: int = 120,
    requires_approval: bool = False,
    status: str = "approved",
) -> Any:
    """An approved supporter (the real approval path: agreement, training, staff approval), open
    every day 08:00–20:00 in `time_zone` unless `windows` ((weekday, "HH:MM", "HH:MM"), ...)."""
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.support.models import AvailabilityWindow, SupporterAgreement, SupporterProfile

    user = user or make_member(verified=True)
    agreement = SupporterAgreement.objects.order_by("-version").first() or SupporterAgreement.objects.create(
        version=1, body="Peer support is not therapy. No dual relationships."
    )
    now = timezone.now()
    supporter = SupporterProfile.objects.create(
        user=user, status="applied", approach="Listening first", bio="Twenty years in community mental health.",
        specialties=["burnout", "grief"], languages=["en"], jurisdictions=["US-NY"], session_lengths=list(lengths),
        time_zone=time_zone, max_per_week=max_per_week, max_per_month=max_per_month,
        requires_approval=requires_approval, min_notice_minutes=min_notice_minutes, buffer_minutes=buffer_minutes,
        horizon_days=horizon_days, agreement_version=agreement.version, agreement_accepted_at=now,
        training_completed_at=now,
    )
    for weekday, start, end in windows if windows is not None else tuple((day, "08:00", "20:00") for day in range(7)):
        AvailabilityWindow.objects.create(
            supporter=supporter, weekday=weekday, start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
        )
    if status != "applied":
        SupporterProfile.objects.filter(pk=supporter.pk).update(
            status=status, approved_at=now, paused_at=now if status == "paused" else None
        )
        supporter.refresh_from_db()
        if status in ("approved", "paused"):
            from peerhaven.accounts.models import RoleGrant

            RoleGrant.objects.get_or_create(user=user, role="supporter")
    return supporter


def make_booking(
    seeker: Any = None, supporter: Any = None, *, starts_in: dt.timedelta = dt.timedelta(days=3),
    status: str = "confirmed", length: int = 50,
) -> Any:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.support.models import Booking

    seeker = seeker or make_member(verified=True)
    supporter = supporter or _shared_supporter()
    start = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    # Never on top of the supporter's other bookings (PostgreSQL's exclusion constraint would
    # refuse it): after the last one, when there is one.
    last = Booking.objects.filter(supporter=supporter).order_by("-blocked_until").first()
    if last is not None and last.blocked_until + dt.timedelta(minutes=5) > start:
        start = last.blocked_until + dt.timedelta(minutes=5)
    end = start + dt.timedelta(minutes=length)
    return Booking.objects.create(
        seeker=seeker, supporter=supporter, starts_at=start, ends_at=end,
        blocked_until=end + supporter.buffer, length_minutes=length, status=status, note="private words",
    )


def _shared_supporter() -> Any:
    """One supporter for the many bookings the grids make (creating a supporter per booking made
    the grids slow)."""
    from peerhaven.accounts.models import User
    from peerhaven.support.models import SupporterProfile

    supporter = SupporterProfile.objects.filter(user__email="grid-supporter@example.org").first()
    if supporter is None:
        from peerhaven.accounts.tests.factories import make_member

        supporter = make_supporter(User.objects.filter(email="grid-supporter@example.org").first()
                                   or make_member(verified=True, email="grid-supporter@example.org"))
    return supporter


def _supporter_of(owner: Any) -> dict[str, Any]:
    from peerhaven.support.models import SupporterProfile

    supporter = SupporterProfile.objects.filter(user=owner).first() or make_supporter(owner)
    return {"pk": supporter.pk}


def _booking_of_seeker(owner: Any) -> dict[str, Any]:
    return {"pk": make_booking(seeker=owner).pk}


def _booking_of_supporter(owner: Any) -> dict[str, Any]:
    from peerhaven.support.models import SupporterProfile

    supporter = SupporterProfile.objects.filter(user=owner).first() or make_supporter(owner)
    return {"pk": make_booking(supporter=supporter).pk}


def _feed_token_of(owner: Any) -> dict[str, Any]:
    from peerhaven.support.services.booking import feed_token_create

    return {"token": feed_token_create(actor=owner)}


# Bookings are for their two participants only: everyone else (staff included) gets a 404.
_PARTICIPANTS = verified(404)

ROUTES = [
    Route("support:home", verified(200)),
    Route("support:supporter_detail", verified(200), make_kwargs=_supporter_of, owner_status=200),
    # Without a chosen time the booking page goes back to the slot picker; nobody books themself.
    Route("support:book", verified(302), make_kwargs=_supporter_of, owner_status=404),
    Route("support:my_sessions", verified(200)),
    Route("support:session", _PARTICIPANTS, make_kwargs=_booking_of_seeker, owner_status=200),
    Route("support:session_ics", _PARTICIPANTS, make_kwargs=_booking_of_seeker, owner_status=200),
    Route("support:session_cancel", _PARTICIPANTS, make_kwargs=_booking_of_seeker, owner_status=200),
    Route("support:session_reschedule", _PARTICIPANTS, make_kwargs=_booking_of_seeker, owner_status=200),
    # The supporter's decisions: a confirmed session cannot be decided again (a message, 302).
    Route("support:session_decide", _PARTICIPANTS, make_kwargs=_booking_of_supporter, owner_status=302,
          method="post", data={"decision": "approve"}),
    Route("support:session_outcome", _PARTICIPANTS, make_kwargs=_booking_of_supporter, owner_status=302,
          method="post", data={"outcome": "completed"}),
    Route("support:supporter_apply", verified(200)),
    # The supporter's own tools: members without a supporter profile are sent to apply.
    Route("support:supporter_edit", verified(302)),
    Route("support:availability", verified(302)),
    Route("support:supporter_requests", verified(302)),
    Route("support:supporter_pause", verified(404), method="post", data={"paused": "1"}),
    Route("support:staff_supporters", role("staff")),
    Route("support:staff_supporter_decide", role("staff", status=302), make_kwargs=_supporter_of,
          owner_status=404, method="post", data={"action": "training_done"}),
    Route("support:staff_agreement", role("staff")),
    Route("support:calendar_feed", verified(200)),
    # The address is the credential: whoever holds a live one gets the feed (neutral entries).
    Route("support:calendar_feed_ics", public(200), make_kwargs=_feed_token_of, owner_status=200),
]
