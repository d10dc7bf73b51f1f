"""Writes for T4T booking: supporter applications and approval, availability, holds, the booking
lifecycle (request, decide, cancel, reschedule, outcome), reminders and the calendar feed token.

Booking is where two people race for one slot. Every booking write of one supporter takes the
supporter's row lock first (`select_for_update`; on SQLite the IMMEDIATE transaction holds the
database's write lock from its first statement), then re-checks the slot and the load under it.
On PostgreSQL the exclusion constraint of migration 0001 is the last word: a violation becomes
SlotUnavailable, as does losing the race under the lock. Notifications carry no content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import Role, RoleGrant, User
from peerhaven.core.audit import audit_log
from peerhaven.core.policies import forget_cached_roles
from peerhaven.notifications.services import notify
from peerhaven.support.models.booking import (
    ACTIVE_BOOKING_STATUSES,
    NOTE_MAX_LENGTH,
    AvailabilityWindow,
    Blackout,
    Booking,
    BookingStatus,
    CalendarFeedToken,
    DateOverride,
    Hold,
    SupporterAgreement,
    SupporterProfile,
    SupporterStatus,
)
from peerhaven.support.policies.booking import (
    can_book,
    can_cancel_booking,
    can_decide_booking,
    can_record_outcome,
    can_reschedule_booking,
    is_late_cancellation,
    is_seeker,
)
from peerhaven.support.selectors.booking import current_agreement, slot_is_open

HOLD_FOR = dt.timedelta(minutes=10)
IDEMPOTENCY_KEY_MAX = 80


class SlotUnavailable(Exception):
    """Someone else took the slot (or it is no longer offered): a 409 with fresh slots."""


class BookingRefused(Exception):
    """The request itself cannot be honoured (wrong length, key reused for something else)."""


class SupporterNotReady(Exception):
    """Approval needs the current agreement accepted and the training done."""


def _session_link(booking: Booking) -> str:
    return reverse("support:session", kwargs={"pk": booking.pk})


def _notify_after_commit(user_id: int, kind: str, link: str) -> None:
    def _send() -> None:
        user = User.objects.filter(pk=user_id).first()
        if user is not None:
            notify(user=user, kind=kind, link=link)

    transaction.on_commit(_send)


# --- the supporter agreement ---------------------------------------------------------------------
def agreement_publish(*, actor: User, body: str, request: HttpRequest | None = None) -> SupporterAgreement:
    """Staff publish a new version; supporters who accepted an older one are asked again."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the agreement's text.")})
    with transaction.atomic():
        latest = SupporterAgreement.objects.select_for_update().order_by("-version").first()
        agreement = SupporterAgreement(version=(latest.version + 1) if latest else 1, body=body, published_by=actor)
        agreement.full_clean()
        agreement.save()
        audit_log("support.agreement.publish", actor=actor, target=agreement, request=request, version=agreement.version)
    return agreement


# --- supporters ----------------------------------------------------------------------------------
PROFILE_FIELDS = (
    "approach", "bio", "specialties", "languages", "jurisdictions", "session_lengths", "time_zone",
    "max_per_week", "max_per_month", "requires_approval", "min_notice_minutes", "buffer_minutes",
    "horizon_days", "ics_feed_url",
)


def _apply_fields(supporter: SupporterProfile, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"not a supporter profile field: {name}")
        if getattr(supporter, name) != value:
            setattr(supporter, name, value)
            changed.append(name)
    return changed


def supporter_apply(
    *, actor: User, agreement_version: int, request: HttpRequest | None = None, **fields: Any
) -> SupporterProfile:
    """Apply to offer T4T, accepting the current agreement. A retired supporter may apply again."""
    agreement = current_agreement()
    if agreement is None or agreement.version != agreement_version:
        raise ValidationError(_("The agreement changed while you were reading it. Please read it again."))
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().filter(user=actor).first()
        if supporter is not None and supporter.status != SupporterStatus.RETIRED:
            raise ValidationError(_("You have already applied."))
        supporter = supporter or SupporterProfile(user=actor)
        _apply_fields(supporter, fields)
        now = timezone.now()
        supporter.status = SupporterStatus.APPLIED
        supporter.agreement_version = agreement.version
        supporter.agreement_accepted_at = now
        supporter.updated_at = now
        supporter.full_clean()
        supporter.save()
        audit_log("support.supporter.apply", actor=actor, target=supporter, request=request,
                  agreement_version=agreement.version)
    return supporter


def supporter_profile_update(
    *, actor: User, supporter: SupporterProfile, request: HttpRequest | None = None, **fields: Any
) -> SupporterProfile:
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().get(pk=supporter.pk)
        if supporter.user_id != actor.pk:
            raise PermissionDenied
        changed = _apply_fields(supporter, fields)
        if changed:
            supporter.updated_at = timezone.now()
            supporter.full_clean()
            supporter.save(update_fields=[*changed, "updated_at"])
            # Field names only: the values are the supporter's (the feed URL is a secret).
            audit_log("support.supporter.update", actor=actor, target=supporter, request=request, fields=sorted(changed))
    return supporter


def supporter_accept_agreement(
    *, actor: User, supporter: SupporterProfile, agreement_version: int, request: HttpRequest | None = None
) -> SupporterProfile:
    agreement = current_agreement()
    if agreement is None or agreement.version != agreement_version:
        raise ValidationError(_("The agreement changed while you were reading it. Please read it again."))
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().get(pk=supporter.pk, user=actor)
        supporter.agreement_version = agreement.version
        supporter.agreement_accepted_at = timezone.now()
        supporter.save(update_fields=["agreement_version", "agreement_accepted_at"])
        audit_log("support.supporter.accept_agreement", actor=actor, target=supporter, request=request,
                  agreement_version=agreement.version)
    return supporter


def supporter_is_ready(supporter: SupporterProfile) -> bool:
    agreement = current_agreement()
    return (
        agreement is not None
        and supporter.agreement_version == agreement.version
        and supporter.training_completed_at is not None
    )


def supporter_set_training(
    *, actor: User, supporter: SupporterProfile, completed: bool, request: HttpRequest | None = None
) -> SupporterProfile:
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().get(pk=supporter.pk)
        supporter.training_completed_at = timezone.now() if completed else None
        supporter.save(update_fields=["training_completed_at"])
        audit_log("support.supporter.training", actor=actor, target=supporter, request=request, completed=completed)
    return supporter


def supporter_approve(*, actor: User, supporter: SupporterProfile, request: HttpRequest | None = None) -> SupporterProfile:
    """Staff approve an applicant who accepted the current agreement and completed the training;
    the member gets the supporter role."""
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().get(pk=supporter.pk)
        if supporter.status != SupporterStatus.APPLIED:
            raise ValidationError(_("Only an application can be approved."))
        if not supporter_is_ready(supporter):
            raise SupporterNotReady(
                _("Approval needs the current supporter agreement accepted and the training completed.")
            )
        now = timezone.now()
        supporter.status = SupporterStatus.APPROVED
        supporter.approved_at = now
        supporter.approved_by = actor
        supporter.paused_at = None
        supporter.save(update_fields=["status", "approved_at", "approved_by", "paused_at"])
        RoleGrant.objects.get_or_create(user_id=supporter.user_id, role=Role.SUPPORTER, defaults={"granted_by": actor})
        forget_cached_roles(supporter.user)
        audit_log("support.supporter.approve", actor=actor, target=supporter, request=request)
        _notify_after_commit(supporter.user_id, "support.supporter_approved", reverse("support:availability"))
    return supporter


def supporter_retire(*, actor: User, supporter: SupporterProfile, request: HttpRequest | None = None) -> SupporterProfile:
    """Staff (or the supporter) end the supporter role. Booked sessions stay as they are."""
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().get(pk=supporter.pk)
        supporter.status = SupporterStatus.RETIRED
        supporter.save(update_fields=["status"])
        RoleGrant.objects.filter(user_id=supporter.user_id, role=Role.SUPPORTER).delete()
        forget_cached_roles(supporter.user)
        audit_log("support.supporter.retire", actor=actor, target=supporter, request=request)
    return supporter


def supporter_pause(
    *, actor: User, supporter: SupporterProfile, paused: bool, request: HttpRequest | None = None
) -> SupporterProfile:
    """A supporter may pause (no new bookings; booked sessions stay) and resume at any time."""
    with transaction.atomic():
        supporter = SupporterProfile.objects.select_for_update().get(pk=supporter.pk)
        if supporter.user_id != actor.pk:
            raise PermissionDenied
        if paused and supporter.status == SupporterStatus.APPROVED:
            supporter.status = SupporterStatus.PAUSED
            supporter.paused_at = timezone.now()
        elif not paused and supporter.status == SupporterStatus.PAUSED:
            supporter.status = SupporterStatus.APPROVED
            supporter.paused_at = None
        else:
            return supporter
        supporter.save(update_fields=["status", "paused_at"])
        audit_log("support.supporter.pause" if paused else "support.supporter.resume", actor=actor,
                  target=supporter, request=request)
    return supporter


# --- availability --------------------------------------------------------------------------------
def _own_supporter(actor: User, supporter: SupporterProfile) -> None:
    if supporter.user_id != actor.pk:
        raise PermissionDenied


def window_add(
    *, actor: User, supporter: SupporterProfile, weekday: int, start_time: dt.time, end_time: dt.time,
    request: HttpRequest | None = None,
) -> AvailabilityWindow:
    _own_supporter(actor, supporter)
    with transaction.atomic():
        if AvailabilityWindow.objects.filter(supporter=supporter).count() >= 50:
            raise ValidationError(_("That is as many weekly windows as a supporter can keep."))
        window = AvailabilityWindow(supporter=supporter, weekday=weekday, start_time=start_time, end_time=end_time)
        window.full_clean()
        window.save()
        audit_log("support.availability.window_add", actor=actor, target=supporter, request=request)
    return window


def override_set(
    *, actor: User, supporter: SupporterProfile, date: dt.date, closed: bool,
    windows: list[tuple[dt.time, dt.time]], request: HttpRequest | None = None,
) -> DateOverride:
    _own_supporter(actor, supporter)
    with transaction.atomic():
        override, _created = DateOverride.objects.get_or_create(supporter=supporter, date=date)
        override.closed = closed
        override.windows = [] if closed else [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in windows]
        override.full_clean()
        override.save(update_fields=["closed", "windows"])
        audit_log("support.availability.override_set", actor=actor, target=supporter, request=request)
    return override


def blackout_add(
    *, actor: User, supporter: SupporterProfile, starts_at: dt.datetime, ends_at: dt.datetime,
    request: HttpRequest | None = None,
) -> Blackout:
    _own_supporter(actor, supporter)
    with transaction.atomic():
        blackout = Blackout(supporter=supporter, starts_at=starts_at, ends_at=ends_at)
        blackout.full_clean()
        blackout.save()
        audit_log("support.availability.blackout_add", actor=actor, target=supporter, request=request)
    return blackout


_AVAILABILITY_MODELS: dict[str, type[AvailabilityWindow] | type[DateOverride] | type[Blackout]] = {
    "window": AvailabilityWindow, "override": DateOverride, "blackout": Blackout,
}


def availability_remove(
    *, actor: User, supporter: SupporterProfile, kind: str, pk: int, request: HttpRequest | None = None
) -> bool:
    _own_supporter(actor, supporter)
    model = _AVAILABILITY_MODELS.get(kind)
    if model is None:
        return False
    with transaction.atomic():
        deleted, _rows = model.objects.filter(supporter=supporter, pk=pk).delete()
        if deleted:
            audit_log(f"support.availability.{kind}_remove", actor=actor, target=supporter, request=request)
    return bool(deleted)


# --- holds ---------------------------------------------------------------------------------------
def hold_place(
    *, actor: User, supporter: SupporterProfile, starts_at: dt.datetime, length_minutes: int,
    now: dt.datetime | None = None,
) -> Hold | None:
    """Hold an open slot for HOLD_FOR while the member fills in the form (one hold per member
    and supporter). Returns None when the slot is not open."""
    now = now or timezone.now()
    if not can_book(actor, supporter) or length_minutes not in supporter.session_lengths:
        return None
    with transaction.atomic():
        SupporterProfile.objects.select_for_update().filter(pk=supporter.pk).first()
        if not slot_is_open(supporter, starts_at=starts_at, length_minutes=length_minutes, viewer=actor, now=now):
            return None
        hold, _created = Hold.objects.update_or_create(
            supporter=supporter, holder=actor,
            defaults={
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(minutes=length_minutes),
                "expires_at": now + HOLD_FOR,
            },
        )
    return hold


def holds_purge_expired(*, now: dt.datetime | None = None) -> int:
    deleted, _rows = Hold.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# --- the booking lifecycle -----------------------------------------------------------------------
def _lock_supporter(supporter: SupporterProfile) -> SupporterProfile:
    # The one lock every booking write of this supporter queues on (capacity and overlap are
    # checked under it), taken before any other row of the booking.
    return SupporterProfile.objects.select_for_update().select_related("user").get(pk=supporter.pk)


def _check_request(supporter: SupporterProfile, *, starts_at: dt.datetime, length_minutes: int, note: str) -> None:
    if timezone.is_naive(starts_at):
        raise BookingRefused(_("Choose a time from the list."))
    if length_minutes not in supporter.session_lengths:
        raise BookingRefused(_("Choose one of the session lengths this supporter offers."))
    if len(note) > NOTE_MAX_LENGTH:
        raise BookingRefused(_("Keep the note under %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH})


def _insert_booking(booking: Booking) -> Booking:
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        # On PostgreSQL the exclusion constraint refuses an overlap this lock did not see (an
        # admin edit, a slot freed and taken in between); the idempotency key is handled by
        # the caller before this point, under the same lock.
        raise SlotUnavailable(_("Someone has just booked this time. Please choose another.")) from exc
    return booking


def booking_create(
    *,
    actor: User,
    supporter: SupporterProfile,
    starts_at: dt.datetime,
    length_minutes: int,
    note: str = "",
    idempotency_key: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> tuple[Booking, bool]:
    """Book a slot. Returns (booking, created): a retry with the same idempotency key returns the
    first booking and created=False. Raises SlotUnavailable (409), BookingRefused (400/422) or
    PermissionDenied (the caller answers 404)."""
    now = now or timezone.now()
    note = (note or "").strip()
    idempotency_key = (idempotency_key or "").strip()[:IDEMPOTENCY_KEY_MAX]
    if idempotency_key:
        existing = _idempotent_replay(actor, idempotency_key, supporter, starts_at, length_minutes)
        if existing is not None:
            return existing, False
    if not can_book(actor, supporter):
        raise PermissionDenied
    _check_request(supporter, starts_at=starts_at, length_minutes=length_minutes, note=note)
    with transaction.atomic():
        supporter = _lock_supporter(supporter)
        if idempotency_key:
            # A retry that queued behind the first attempt on the lock finds it here.
            existing = _idempotent_replay(actor, idempotency_key, supporter, starts_at, length_minutes)
            if existing is not None:
                return existing, False
        if not can_book(actor, supporter):
            raise PermissionDenied
        if not slot_is_open(supporter, starts_at=starts_at, length_minutes=length_minutes, viewer=actor, now=now):
            raise SlotUnavailable(_("Someone has just booked this time. Please choose another."))
        booking = _new_booking(actor, supporter, starts_at, length_minutes, note, idempotency_key, now)
        _insert_booking(booking)
        Hold.objects.filter(supporter=supporter, holder=actor).delete()
        audit_log("support.booking.create", actor=actor, target=booking, request=request, status=booking.status,
                  length=length_minutes)
        _announce_new(booking)
    return booking, True


def _idempotent_replay(
    actor: User, key: str, supporter: SupporterProfile, starts_at: dt.datetime, length_minutes: int
) -> Booking | None:
    existing = Booking.objects.filter(seeker=actor, idempotency_key=key).first()
    if existing is None:
        return None
    if (existing.supporter_id, existing.starts_at, existing.length_minutes) != (supporter.pk, starts_at, length_minutes):
        raise BookingRefused(_("This request key was already used for a different booking."))
    return existing


def _new_booking(
    actor: User, supporter: SupporterProfile, starts_at: dt.datetime, length_minutes: int, note: str,
    idempotency_key: str, now: dt.datetime,
) -> Booking:
    ends_at = starts_at + dt.timedelta(minutes=length_minutes)
    confirmed = not supporter.requires_approval
    return Booking(
        seeker=actor, supporter=supporter, starts_at=starts_at, ends_at=ends_at,
        blocked_until=ends_at + supporter.buffer, length_minutes=length_minutes,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.REQUESTED,
        confirmed_at=now if confirmed else None, note=note, idempotency_key=idempotency_key,
        created_at=now, updated_at=now,
    )


def _announce_new(booking: Booking) -> None:
    link = _session_link(booking)
    if booking.status == BookingStatus.CONFIRMED:
        _notify_after_commit(booking.supporter.user_id, "support.booking_confirmed", link)
        _notify_after_commit(booking.seeker_id, "support.booking_confirmed", link)
    else:
        _notify_after_commit(booking.supporter.user_id, "support.booking_requested", link)


def booking_decide(
    *, actor: User, booking: Booking, approve: bool, request: HttpRequest | None = None
) -> Booking:
    """The supporter accepts or declines a request."""
    with transaction.atomic():
        _lock_supporter(booking.supporter)
        booking = Booking.objects.select_for_update().select_related("supporter").get(pk=booking.pk)
        if not can_decide_booking(actor, booking):
            raise PermissionDenied(_("This request has already been answered."))
        now = timezone.now()
        booking.status = BookingStatus.CONFIRMED if approve else BookingStatus.DECLINED
        booking.decided_at = now
        booking.confirmed_at = now if approve else None
        booking.updated_at = now
        booking.save(update_fields=["status", "decided_at", "confirmed_at", "updated_at"])
        audit_log("support.booking.approve" if approve else "support.booking.decline", actor=actor, target=booking,
                  request=request)
        kind = "support.booking_confirmed" if approve else "support.booking_declined"
        _notify_after_commit(booking.seeker_id, kind, _session_link(booking))
    return booking


def booking_cancel(
    *, actor: User, booking: Booking, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> Booking:
    """Either participant cancels a future session; within LATE_CANCELLATION_WINDOW of the start
    it is recorded as late. The slot is free again at once."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_supporter(booking.supporter)
        booking = Booking.objects.select_for_update().select_related("supporter").get(pk=booking.pk)
        if not can_cancel_booking(actor, booking, now=now):
            raise PermissionDenied(_("This session can no longer be cancelled."))
        _cancel(booking, actor=actor, now=now)
        audit_log("support.booking.cancel", actor=actor, target=booking, request=request,
                  late=booking.late_cancellation, by="seeker" if is_seeker(actor, booking) else "supporter")
        counterpart = booking.supporter.user_id if is_seeker(actor, booking) else booking.seeker_id
        _notify_after_commit(counterpart, "support.booking_cancelled", _session_link(booking))
    return booking


def _cancel(booking: Booking, *, actor: User, now: dt.datetime) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = actor
    booking.late_cancellation = is_late_cancellation(booking, now=now)
    booking.updated_at = now
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "late_cancellation", "updated_at"])
    _room_changed(booking.pk)


def _room_changed(booking_pk: int) -> None:
    """The session's video room re-checks who may be in it once the change is committed (a
    cancelled or moved session has no room: anyone still in it is let go). room_changed defers
    itself with transaction.on_commit; nothing happens if the transaction rolls back."""
    from peerhaven.live.rooms import room_changed

    room_changed("support.booking", booking_pk)


def booking_reschedule(
    *, actor: User, booking: Booking, starts_at: dt.datetime, length_minutes: int | None = None,
    request: HttpRequest | None = None, now: dt.datetime | None = None,
) -> Booking:
    """The seeker moves a session: the old one is cancelled and a new one booked in one
    transaction, so either both happen or neither (the old slot counts as free for the move)."""
    now = now or timezone.now()
    length_minutes = length_minutes or booking.length_minutes
    with transaction.atomic():
        supporter = _lock_supporter(booking.supporter)
        booking = Booking.objects.select_for_update().select_related("supporter").get(pk=booking.pk)
        if not can_reschedule_booking(actor, booking, now=now) or not can_book(actor, supporter):
            raise PermissionDenied(_("This session can no longer be moved."))
        _check_request(supporter, starts_at=starts_at, length_minutes=length_minutes, note="")
        if not slot_is_open(supporter, starts_at=starts_at, length_minutes=length_minutes, viewer=actor, now=now,
                            ignore_booking_id=booking.pk):
            raise SlotUnavailable(_("Someone has just booked this time. Please choose another."))
        _cancel(booking, actor=actor, now=now)
        moved = _new_booking(actor, supporter, starts_at, length_minutes, booking.note, "", now)
        moved.reschedule_of = booking
        _insert_booking(moved)
        audit_log("support.booking.reschedule", actor=actor, target=moved, request=request, from_booking=booking.pk,
                  late=booking.late_cancellation)
        link = _session_link(moved)
        _notify_after_commit(supporter.user_id, "support.booking_rescheduled" if moved.status ==
                             BookingStatus.CONFIRMED else "support.booking_requested", link)
    return moved


def booking_record_outcome(
    *, actor: User, booking: Booking, outcome: str, request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """After the start, the supporter records the session as completed or as a no-show."""
    if outcome not in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingRefused(_("Choose what happened."))
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("supporter").get(pk=booking.pk)
        if not can_record_outcome(actor, booking, now=now):
            raise PermissionDenied(_("This session's outcome cannot be recorded now."))
        booking.status = outcome
        booking.completed_at = now
        booking.updated_at = now
        booking.save(update_fields=["status", "completed_at", "updated_at"])
        audit_log(f"support.booking.{outcome}", actor=actor, target=booking, request=request)
    return booking


# --- reminders -----------------------------------------------------------------------------------
REMINDERS = (("reminder_24h_sent_at", dt.timedelta(hours=24)), ("reminder_1h_sent_at", dt.timedelta(hours=1)))


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind both participants 24 hours and 1 hour before a confirmed session. Each reminder is
    claimed with a conditional update of its sent flag, so a second run (or a second worker)
    sends nothing twice. A session booked less than an hour ahead gets only the 1-hour one."""
    now = now or timezone.now()
    sent = 0
    for flag, ahead in REMINDERS:
        due = Booking.objects.filter(
            status=BookingStatus.CONFIRMED, starts_at__gt=now, starts_at__lte=now + ahead, **{f"{flag}__isnull": True}
        ).values_list("pk", "seeker_id", "supporter__user_id", "starts_at")
        for pk, seeker_id, supporter_user_id, starts_at in list(due[:1000]):
            with transaction.atomic():
                claimed = Booking.objects.filter(pk=pk, **{f"{flag}__isnull": True}).update(**{flag: now})
                if not claimed:
                    continue
                if flag == "reminder_24h_sent_at" and starts_at - now <= dt.timedelta(hours=1):
                    continue  # the 1-hour reminder covers it
                link = reverse("support:session", kwargs={"pk": pk})
                _notify_after_commit(seeker_id, "support.session_reminder", link)
                _notify_after_commit(supporter_user_id, "support.session_reminder", link)
                sent += 1
    return sent


# --- the calendar feed ---------------------------------------------------------------------------
def feed_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_token_create(*, actor: User, request: HttpRequest | None = None) -> str:
    """A new private feed address (the old one stops working). Only the hash is stored: the raw
    token is shown once."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token = CalendarFeedToken.objects.create(user=actor, token_hash=feed_token_hash(raw))
        audit_log("support.feed_token.create", actor=actor, target=token, request=request)
    return raw


def feed_token_revoke(*, actor: User, request: HttpRequest | None = None) -> int:
    with transaction.atomic():
        revoked = CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            audit_log("support.feed_token.revoke", actor=actor, request=request, count=revoked)
    return revoked


def feed_token_use(raw: str) -> User | None:
    """The member whose live feed token this is (None for an unknown or revoked one)."""
    if not raw or len(raw) > 100:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=feed_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.user.suspended_at is not None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=15):
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- privacy -------------------------------------------------------------------------------------
def export_member(user: Any) -> dict[str, Any]:
    """The member's supporter profile and sessions. The counterpart is not named (it is theirs),
    and the note is included only for the seeker who wrote it."""
    supporter = SupporterProfile.objects.filter(user=user).first()
    sessions = Booking.objects.filter(seeker=user).order_by("starts_at", "pk")
    supported = Booking.objects.filter(supporter__user=user).order_by("starts_at", "pk")
    return {
        "supporter_profile": None if supporter is None else {
            "status": supporter.status, "approach": supporter.approach, "bio": supporter.bio,
            "specialties": supporter.specialties, "languages": supporter.languages,
            "jurisdictions": supporter.jurisdictions, "session_lengths": supporter.session_lengths,
            "time_zone": supporter.time_zone, "agreement_version": supporter.agreement_version,
        },
        "sessions_booked": [
            {"starts_at": booking.starts_at, "ends_at": booking.ends_at, "status": booking.status, "note": booking.note}
            for booking in sessions
        ],
        "sessions_given": [
            {"starts_at": booking.starts_at, "ends_at": booking.ends_at, "status": booking.status}
            for booking in supported
        ],
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    """Cancel the member's future sessions (telling the other side, without a name) and delete
    their bookings and supporter profile; the counterpart's view shows a former member."""
    now = timezone.now()
    future = Booking.objects.filter(status__in=ACTIVE_BOOKING_STATUSES, starts_at__gt=now).filter(
        seeker=user
    ) | Booking.objects.filter(status__in=ACTIVE_BOOKING_STATUSES, starts_at__gt=now, supporter__user=user)
    for booking in future.select_related("supporter"):
        counterpart = booking.supporter.user_id if booking.seeker_id == user.pk else booking.seeker_id
        _notify_after_commit(counterpart, "support.booking_cancelled", reverse("support:my_sessions"))
    # Every room of theirs that may still be open (a session under way included) re-checks,
    # after the rows are gone.
    open_rooms = list(Booking.objects.filter(
        Q(seeker=user) | Q(supporter__user=user), status__in=ACTIVE_BOOKING_STATUSES, ends_at__gt=now
    ).values_list("pk", flat=True))
    Booking.objects.filter(seeker=user).delete()
    Booking.objects.filter(supporter__user=user).delete()
    Hold.objects.filter(holder=user).delete()
    CalendarFeedToken.objects.filter(user=user).delete()
    SupporterProfile.objects.filter(user=user).delete()
    for pk in open_rooms:
        _room_changed(pk)
