"""/api/v1 for booking: a supporter's open slots, my bookings (create with an Idempotency-Key,
cancel, reschedule, list, one) and my private calendar feed address. A thin edge over the same
selectors, policies and services as the pages; tokens need support:read or support:write.

A lost race answers 409 with a kind message and the supporter's fresh slots for that length.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from peerhaven.accounts.models import User
from peerhaven.api.schemas import ErrorOut
from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.safety.phi import scan
from peerhaven.support.models.booking import NOTE_MAX_LENGTH, Booking, SupporterProfile
from peerhaven.support.policies.booking import (
    booking_get_for_user,
    can_book,
    is_seeker,
    supporter_get_for_user,
)
from peerhaven.support.selectors.booking import open_slots, sessions_of
from peerhaven.support.services import booking as services

router = Router(tags=["support"])


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    length_minutes: int


class SlotsQuery(Schema):
    length: int | None = Field(None, description="Minutes; one of the supporter's session lengths.")
    days: int = Field(60, ge=1, le=180, description="How many days ahead.")


class BookingIn(Schema):
    supporter_id: int
    starts_at: dt.datetime
    length_minutes: int
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class RescheduleIn(Schema):
    starts_at: dt.datetime
    length_minutes: int | None = None


class BookingOut(Schema):
    id: int
    supporter_id: int
    my_role: str  # "seeker" or "supporter"
    counterpart: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    length_minutes: int
    status: str
    late_cancellation: bool
    rescheduled_from: int | None
    session_url: str
    room_url: str | None
    note_identifier_warnings: list[str] = []


class ConflictOut(Schema):
    detail: str
    slots: list[SlotOut]


class FeedOut(Schema):
    url: str


def _verified_member(request: HttpRequest) -> User:
    candidate: Any = getattr(request, "auth", None)
    if candidate is not None and not isinstance(candidate, User):
        candidate = getattr(candidate, "user", None)
    if not isinstance(candidate, User):
        candidate = getattr(request, "user", None)
    if not isinstance(candidate, User) or not candidate.is_authenticated:
        raise HttpError(401, _("Please sign in."))
    if not is_active_member(candidate):
        raise HttpError(403, _("This account is suspended."))
    if not is_verified(candidate):
        raise HttpError(403, _("Peer support sessions are for verified members."))
    return candidate


def _booking_out(booking: Booking, member: User, *, warnings: list[str] | None = None) -> dict[str, Any]:
    seeker_side = is_seeker(member, booking)
    try:
        from peerhaven.live.rooms import room_url

        room = room_url("support.booking", booking.pk) if booking.status == "confirmed" else None
    except NoReverseMatch:
        room = None
    return {
        "id": booking.pk, "supporter_id": booking.supporter_id, "my_role": "seeker" if seeker_side else "supporter",
        "counterpart": booking.supporter.user.public_name if seeker_side else booking.seeker.public_name,
        "starts_at": booking.starts_at, "ends_at": booking.ends_at, "length_minutes": booking.length_minutes,
        "status": booking.status, "late_cancellation": booking.late_cancellation,
        "rescheduled_from": booking.reschedule_of_id,
        "session_url": reverse("support:session", kwargs={"pk": booking.pk}), "room_url": room,
        "note_identifier_warnings": warnings or [],
    }


def _slots_out(supporter: SupporterProfile, member: User, length: int | None) -> list[dict[str, Any]]:
    if not can_book(member, supporter):
        return []
    lengths = [length] if length else None
    return [
        {"starts_at": slot.starts_at, "ends_at": slot.ends_at, "length_minutes": slot.length_minutes}
        for slot in open_slots(supporter, viewer=member, lengths=lengths)
    ]


def _conflict(message: str, supporter: SupporterProfile, member: User, length: int | None) -> tuple[int, dict[str, Any]]:
    return 409, {"detail": message, "slots": _slots_out(supporter, member, length)}


def _supporter(member: User, supporter_id: int) -> SupporterProfile:
    try:
        return supporter_get_for_user(member, supporter_id)
    except Http404 as missing:
        raise HttpError(404, _("Not found.")) from missing


def _booking(member: User, booking_id: int) -> Booking:
    try:
        return booking_get_for_user(member, booking_id)
    except Http404 as missing:
        raise HttpError(404, _("Not found.")) from missing


@router.get("/support/supporters/{supporter_id}/slots", response=list[SlotOut], summary="A supporter's open slots")
def slots_api(request: HttpRequest, supporter_id: int, query: Query[SlotsQuery]) -> list[dict[str, Any]]:
    member = _verified_member(request)
    supporter = _supporter(member, supporter_id)
    if query.length is not None and query.length not in supporter.session_lengths:
        raise HttpError(400, _("Choose one of the session lengths this supporter offers."))
    if not can_book(member, supporter):
        return []
    lengths = [query.length] if query.length else None
    slots = open_slots(supporter, viewer=member, lengths=lengths, end=timezone.now() + dt.timedelta(days=query.days))
    return [{"starts_at": slot.starts_at, "ends_at": slot.ends_at, "length_minutes": slot.length_minutes}
            for slot in slots]


@router.get("/support/bookings", response=list[BookingOut], summary="My T4T sessions (both sides)")
def bookings_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    member = _verified_member(request)
    upcoming, past = sessions_of(member)
    return [_booking_out(booking, member) for booking in [*upcoming, *past]]


@router.post(
    "/support/bookings", response={200: BookingOut, 201: BookingOut, 404: ErrorOut, 409: ConflictOut},
    summary="Book a session (send an Idempotency-Key header: a retry returns the same booking)",
)
def booking_create_api(request: HttpRequest, payload: BookingIn) -> tuple[int, dict[str, Any]]:
    member = _verified_member(request)
    supporter = _supporter(member, payload.supporter_id)
    key = request.headers.get("Idempotency-Key", "")
    if len(key) > services.IDEMPOTENCY_KEY_MAX:
        raise HttpError(400, _("The Idempotency-Key header is too long."))
    if payload.starts_at.tzinfo is None:
        raise HttpError(400, _("Give the time with its UTC offset."))
    try:
        booking, created = services.booking_create(
            actor=member, supporter=supporter, starts_at=payload.starts_at.astimezone(dt.UTC),
            length_minutes=payload.length_minutes, note=payload.note, idempotency_key=key, request=request,
        )
    except services.SlotUnavailable as taken:
        return _conflict(str(taken), supporter, member, payload.length_minutes
                         if payload.length_minutes in supporter.session_lengths else None)
    except services.BookingRefused as refusal:
        raise HttpError(422, str(refusal)) from refusal
    except PermissionDenied as refusal:
        raise HttpError(404, _("Not found.")) from refusal
    # The PHI guard in warn mode: the categories found, never the text.
    warnings = sorted({finding.category for finding in scan(payload.note)}) if payload.note else []
    return (201 if created else 200), _booking_out(booking, member, warnings=warnings)


@router.get("/support/bookings/{booking_id}", response=BookingOut, summary="One of my sessions")
def booking_get_api(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    member = _verified_member(request)
    return _booking_out(_booking(member, booking_id), member)


@router.post("/support/bookings/{booking_id}/cancel", response=BookingOut, summary="Cancel a session")
def booking_cancel_api(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    member = _verified_member(request)
    booking = _booking(member, booking_id)
    try:
        booking = services.booking_cancel(actor=member, booking=booking, request=request)
    except PermissionDenied as refusal:
        raise HttpError(409, str(refusal)) from refusal
    return _booking_out(booking_get_for_user(member, booking.pk), member)


@router.post(
    "/support/bookings/{booking_id}/reschedule", response={200: BookingOut, 409: ConflictOut},
    summary="Move a session (the old one is cancelled, a new one booked)",
)
def booking_reschedule_api(request: HttpRequest, booking_id: int, payload: RescheduleIn) -> tuple[int, dict[str, Any]]:
    member = _verified_member(request)
    booking = _booking(member, booking_id)
    if payload.starts_at.tzinfo is None:
        raise HttpError(400, _("Give the time with its UTC offset."))
    try:
        moved = services.booking_reschedule(
            actor=member, booking=booking, starts_at=payload.starts_at.astimezone(dt.UTC),
            length_minutes=payload.length_minutes, request=request,
        )
    except services.SlotUnavailable as taken:
        return _conflict(str(taken), booking.supporter, member, booking.length_minutes)
    except services.BookingRefused as refusal:
        raise HttpError(422, str(refusal)) from refusal
    except PermissionDenied as refusal:
        raise HttpError(409, str(refusal)) from refusal
    return 200, _booking_out(booking_get_for_user(member, moved.pk), member)


@router.post("/support/calendar-feed", response={201: FeedOut}, summary="A new private calendar feed address")
def feed_create_api(request: HttpRequest) -> tuple[int, dict[str, str]]:
    member = _verified_member(request)
    raw = services.feed_token_create(actor=member, request=request)
    return 201, {"url": request.build_absolute_uri(reverse("support:calendar_feed_ics", kwargs={"token": raw}))}


@router.delete("/support/calendar-feed", response={204: None}, summary="Turn my calendar feed off")
def feed_revoke_api(request: HttpRequest) -> tuple[int, None]:
    member = _verified_member(request)
    services.feed_token_revoke(actor=member, request=request)
    return 204, None
