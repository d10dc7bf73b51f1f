"""Who may do what with T4T supporters and bookings: one function per action, used by the pages
and the API alike, plus the loaders that answer 404 to outsiders.

Conflict-of-interest exclusions (and blocks) are the matching concern's (`policies.matching`):
the supporter's page, slots and booking ask it, and an excluded pair sees a 404, never the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone

from peerhaven.accounts.models import Role
from peerhaven.core.policies import has_role, is_verified
from peerhaven.support.models.booking import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    BookingStatus,
    SupporterProfile,
    SupporterStatus,
)
from peerhaven.support.policies.matching import can_see_supporter, may_book_with

# Cancelling (or rescheduling) closer than this to the start is a late cancellation: allowed,
# but recorded, and the member is told so before confirming.
LATE_CANCELLATION_WINDOW = dt.timedelta(hours=24)


# --- supporters ----------------------------------------------------------------------------------
def can_offer_support(user: Any) -> bool:
    """Apply to become a supporter: verified clinicians."""
    return is_verified(user)


def can_manage_supporters(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def is_own_profile(user: Any, supporter: SupporterProfile) -> bool:
    return bool(getattr(user, "pk", None)) and supporter.user_id == user.pk


def can_view_supporter(user: Any, supporter: SupporterProfile) -> bool:
    """The supporter's page and slots: offered supporters, never across an exclusion; the
    supporter always sees their own."""
    return can_see_supporter(user, supporter)


def can_book(user: Any, supporter: SupporterProfile) -> bool:
    return (
        can_view_supporter(user, supporter)
        and supporter.status == SupporterStatus.APPROVED
        and supporter.paused_at is None
        and may_book_with(user, supporter)
        and is_verified(supporter.user)
    )


def can_edit_availability(user: Any, supporter: SupporterProfile | None) -> bool:
    return supporter is not None and is_verified(user) and is_own_profile(user, supporter) and (
        supporter.status != SupporterStatus.RETIRED
    )


def supporter_get_for_user(user: Any, pk: int) -> SupporterProfile:
    supporter = SupporterProfile.objects.select_related("user__profile").filter(pk=pk).first()
    if supporter is None or not can_view_supporter(user, supporter):
        raise Http404
    return supporter


# --- bookings ------------------------------------------------------------------------------------
def is_seeker(user: Any, booking: Booking) -> bool:
    return bool(getattr(user, "pk", None)) and booking.seeker_id == user.pk


def is_supporter_of(user: Any, booking: Booking) -> bool:
    return bool(getattr(user, "pk", None)) and booking.supporter.user_id == user.pk


def can_view_booking(user: Any, booking: Booking) -> bool:
    """The two participants only: staff see aggregate counts, never who saw whom."""
    return is_verified(user) and (is_seeker(user, booking) or is_supporter_of(user, booking))


def can_cancel_booking(user: Any, booking: Booking, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return can_view_booking(user, booking) and booking.status in ACTIVE_BOOKING_STATUSES and booking.starts_at > now


def can_reschedule_booking(user: Any, booking: Booking, *, now: dt.datetime | None = None) -> bool:
    return can_cancel_booking(user, booking, now=now) and is_seeker(user, booking)


def can_decide_booking(user: Any, booking: Booking, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        can_view_booking(user, booking)
        and is_supporter_of(user, booking)
        and booking.status == BookingStatus.REQUESTED
        and booking.starts_at > now
    )


def can_record_outcome(user: Any, booking: Booking, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        can_view_booking(user, booking)
        and is_supporter_of(user, booking)
        and booking.status == BookingStatus.CONFIRMED
        and booking.starts_at <= now
    )


def is_late_cancellation(booking: Booking, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return booking.starts_at - now < LATE_CANCELLATION_WINDOW


def booking_get_for_user(user: Any, pk: int) -> Booking:
    booking = (
        Booking.objects.select_related("seeker__profile", "supporter__user__profile").filter(pk=pk).first()
    )
    if booking is None or not can_view_booking(user, booking):
        raise Http404
    return booking
