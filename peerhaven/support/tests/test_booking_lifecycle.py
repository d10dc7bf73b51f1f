"""The booking lifecycle: request, approval, cancellation (late window), reschedule, outcomes,
capacity, idempotency, supporter application and approval, reminders, content-free
notifications, audit entries and the encrypted note."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from peerhaven.accounts.models import Role, RoleGrant
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.notifications.kinds import kind_title
from peerhaven.notifications.models import Notification
from peerhaven.safety.models import Block
from peerhaven.support.models import Booking, SupporterAgreement, SupporterProfile
from peerhaven.support.selectors.booking import booking_room_spec, open_slots
from peerhaven.support.services import booking as services
from peerhaven.support.tests.grid_booking import make_supporter


def _first_slot(supporter: Any, seeker: Any, length: int | None = None, index: int = 0) -> Any:
    return open_slots(supporter, viewer=seeker, lengths=[length] if length else None)[index]


def _book(seeker: Any, supporter: Any, slot: Any, **kwargs: Any) -> Booking:
    booking, created = services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at,
                                               length_minutes=slot.length_minutes, **kwargs)
    assert created
    return booking


@pytest.fixture
def supporter() -> Any:
    return make_supporter(time_zone="Europe/London", lengths=(30, 50), min_notice_minutes=60)


@pytest.fixture
def seeker() -> Any:
    return make_member(verified=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_confirms_a_booking_and_tells_both_sides_without_content(supporter: Any, seeker: Any) -> None:
    slot = _first_slot(supporter, seeker)
    booking = _book(seeker, supporter, slot, note="I am tired of everything at the clinic")
    assert booking.status == "confirmed" and booking.confirmed_at is not None
    assert booking.blocked_until == booking.ends_at + dt.timedelta(minutes=supporter.buffer_minutes)
    notifications = Notification.objects.filter(kind="support.booking_confirmed")
    assert {notification.user_id for notification in notifications} == {seeker.pk, supporter.user_id}
    for notification in notifications:
        title = kind_title(notification.kind)
        for private in (seeker.public_name, supporter.user.public_name, "clinic", seeker.profile.display_name):
            assert private not in title and private not in notification.link
    assert AuditEntry.objects.filter(action="support.booking.create", target_id=str(booking.pk)).exists()
    # The note is encrypted at rest and never in the audit entry.
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM support_booking WHERE id = %s", [booking.pk])
        raw = cursor.fetchone()[0]
    assert "clinic" not in raw
    assert Booking.objects.get(pk=booking.pk).note == "I am tired of everything at the clinic"
    assert "clinic" not in str(AuditEntry.objects.filter(target_id=str(booking.pk)).values_list("data", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_asks_the_supporter_first_when_they_approve_each_request(seeker: Any) -> None:
    supporter = make_supporter(requires_approval=True)
    booking = _book(seeker, supporter, _first_slot(supporter, seeker))
    assert booking.status == "requested"
    assert Notification.objects.filter(user=supporter.user, kind="support.booking_requested").exists()
    # The requested slot is taken meanwhile.
    assert booking.starts_at not in {slot.starts_at for slot in open_slots(supporter, viewer=make_member(verified=True))}
    with pytest.raises(PermissionDenied):
        services.booking_decide(actor=seeker, booking=booking, approve=True)
    services.booking_decide(actor=supporter.user, booking=booking, approve=True)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert Notification.objects.filter(user=seeker, kind="support.booking_confirmed").exists()


@pytest.mark.django_db
def test_declining_frees_the_slot(seeker: Any) -> None:
    supporter = make_supporter(requires_approval=True)
    booking = _book(seeker, supporter, _first_slot(supporter, seeker))
    services.booking_decide(actor=supporter.user, booking=booking, approve=False)
    booking.refresh_from_db()
    assert booking.status == "declined"
    assert booking.starts_at in {slot.starts_at for slot in open_slots(supporter, viewer=make_member(verified=True))}


@pytest.mark.django_db
def test_it_refuses_an_overlapping_booking_of_another_length(seeker: Any) -> None:
    supporter = make_supporter(lengths=(30, 50, 90), buffer_minutes=15)
    long_slot = _first_slot(supporter, seeker, 90)
    _book(seeker, supporter, long_slot)
    other = make_member(verified=True)
    # 30 minutes starting 60 minutes later overlaps the 90-minute session.
    with pytest.raises(services.SlotUnavailable):
        services.booking_create(actor=other, supporter=supporter, starts_at=long_slot.starts_at + dt.timedelta(minutes=60),
                                length_minutes=30)
    # Right after the end, inside the buffer: refused as well.
    with pytest.raises(services.SlotUnavailable):
        services.booking_create(actor=other, supporter=supporter, starts_at=long_slot.ends_at, length_minutes=30)
    assert Booking.objects.filter(supporter=supporter).count() == 1


@pytest.mark.django_db
def test_it_refuses_a_time_outside_the_slots_and_a_length_not_offered(supporter: Any, seeker: Any) -> None:
    slot = _first_slot(supporter, seeker)
    with pytest.raises(services.SlotUnavailable):
        services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at + dt.timedelta(minutes=7),
                                length_minutes=slot.length_minutes)
    with pytest.raises(services.BookingRefused):
        services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at, length_minutes=45)
    with pytest.raises(PermissionDenied):
        services.booking_create(actor=supporter.user, supporter=supporter, starts_at=slot.starts_at,
                                length_minutes=slot.length_minutes)
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_a_block_either_way_keeps_the_pair_from_booking(supporter: Any, seeker: Any) -> None:
    slot = _first_slot(supporter, seeker)
    Block.objects.create(blocker=supporter.user, blocked=seeker)
    with pytest.raises(PermissionDenied):
        services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at,
                                length_minutes=slot.length_minutes)


@pytest.mark.django_db
def test_the_same_idempotency_key_makes_one_booking(supporter: Any, seeker: Any) -> None:
    slot = _first_slot(supporter, seeker)
    first, created = services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at,
                                             length_minutes=slot.length_minutes, idempotency_key="key-1")
    again, created_again = services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at,
                                                   length_minutes=slot.length_minutes, idempotency_key="key-1")
    assert created and not created_again and first.pk == again.pk
    other_slot = _first_slot(supporter, seeker, index=3)
    with pytest.raises(services.BookingRefused):
        services.booking_create(actor=seeker, supporter=supporter, starts_at=other_slot.starts_at,
                                length_minutes=other_slot.length_minutes, idempotency_key="key-1")
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancelling_frees_the_slot_and_records_a_late_cancellation(supporter: Any, seeker: Any) -> None:
    slot = _first_slot(supporter, seeker)
    booking = _book(seeker, supporter, slot)
    services.booking_cancel(actor=seeker, booking=booking)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_by == seeker
    assert booking.late_cancellation  # the first slot is within 24 hours
    assert Notification.objects.filter(user=supporter.user, kind="support.booking_cancelled").exists()
    assert slot.starts_at in {s.starts_at for s in open_slots(supporter, viewer=seeker)}
    far = [s for s in open_slots(supporter, viewer=seeker) if s.starts_at > timezone.now() + dt.timedelta(days=3)][0]
    early = _book(seeker, supporter, far)
    services.booking_cancel(actor=supporter.user, booking=early)
    early.refresh_from_db()
    assert not early.late_cancellation and early.cancelled_by == supporter.user
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=seeker, booking=early)  # already cancelled


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rescheduling_moves_the_session_in_one_step(supporter: Any, seeker: Any) -> None:
    slots = open_slots(supporter, viewer=seeker, lengths=[50])
    booking = _book(seeker, supporter, slots[0], note="keep me")
    target = [slot for slot in slots if slot.starts_at > timezone.now() + dt.timedelta(days=2)][0]
    moved = services.booking_reschedule(actor=seeker, booking=booking, starts_at=target.starts_at)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and moved.reschedule_of_id == booking.pk
    assert moved.status == "confirmed" and moved.note == "keep me" and moved.starts_at == target.starts_at
    assert slots[0].starts_at in {slot.starts_at for slot in open_slots(supporter, viewer=seeker, lengths=[50])}
    assert Notification.objects.filter(user=supporter.user, kind="support.booking_rescheduled").exists()
    with pytest.raises(PermissionDenied):
        services.booking_reschedule(actor=supporter.user, booking=moved, starts_at=slots[0].starts_at)


@pytest.mark.django_db
def test_a_move_into_a_taken_time_changes_nothing(supporter: Any, seeker: Any) -> None:
    slots = open_slots(supporter, viewer=seeker, lengths=[50])
    mine = _book(seeker, supporter, slots[0])
    theirs = _book(make_member(verified=True), supporter, slots[6])
    with pytest.raises(services.SlotUnavailable):
        services.booking_reschedule(actor=seeker, booking=mine, starts_at=theirs.starts_at)
    mine.refresh_from_db()
    assert mine.status == "confirmed" and Booking.objects.count() == 2


@pytest.mark.django_db
def test_outcomes_are_recorded_by_the_supporter_after_the_start(supporter: Any, seeker: Any) -> None:
    booking = _book(seeker, supporter, _first_slot(supporter, seeker))
    with pytest.raises(PermissionDenied):
        services.booking_record_outcome(actor=supporter.user, booking=booking, outcome="completed")
    later = booking.starts_at + dt.timedelta(minutes=5)
    with pytest.raises(PermissionDenied):
        services.booking_record_outcome(actor=seeker, booking=booking, outcome="completed", now=later)
    services.booking_record_outcome(actor=supporter.user, booking=booking, outcome="no_show", now=later)
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert AuditEntry.objects.filter(action="support.booking.no_show").exists()


@pytest.mark.django_db
def test_load_limits_are_enforced_at_booking(seeker: Any) -> None:
    supporter = make_supporter(max_per_week=1, max_per_month=4, min_notice_minutes=0)
    slots = open_slots(supporter, viewer=seeker)
    first = _book(seeker, supporter, slots[0])
    week = first.starts_at.isocalendar()[:2]
    same_week = [slot for slot in slots if slot.starts_at.isocalendar()[:2] == week
                 and slot.starts_at >= first.ends_at + dt.timedelta(hours=2)]
    if same_week:
        with pytest.raises(services.SlotUnavailable):
            _book(make_member(verified=True), supporter, same_week[0])
    assert all(slot.starts_at.isocalendar()[:2] != week for slot in open_slots(supporter, viewer=seeker))


@pytest.mark.django_db
def test_paused_supporters_take_no_bookings_and_resume(seeker: Any) -> None:
    supporter = make_supporter()
    slot = _first_slot(supporter, seeker)
    services.supporter_pause(actor=supporter.user, supporter=supporter, paused=True)
    supporter.refresh_from_db()
    assert supporter.status == "paused"
    with pytest.raises(PermissionDenied):
        services.booking_create(actor=seeker, supporter=supporter, starts_at=slot.starts_at,
                                length_minutes=slot.length_minutes)
    services.supporter_pause(actor=supporter.user, supporter=supporter, paused=False)
    supporter.refresh_from_db()
    _book(seeker, supporter, slot)


@pytest.mark.django_db
def test_approval_needs_the_agreement_and_the_training() -> None:
    staff = make_member(verified=True, roles=(Role.STAFF,))
    member = make_member(verified=True)
    with pytest.raises(ValidationError):
        services.supporter_apply(actor=member, agreement_version=1, session_lengths=[50])  # no agreement yet
    agreement = services.agreement_publish(actor=staff, body="No dual relationships.")
    supporter = services.supporter_apply(actor=member, agreement_version=agreement.version, session_lengths=[50],
                                         time_zone="Europe/Madrid")
    assert supporter.status == "applied"
    with pytest.raises(services.SupporterNotReady):
        services.supporter_approve(actor=staff, supporter=supporter)
    services.supporter_set_training(actor=staff, supporter=supporter, completed=True)
    newer = services.agreement_publish(actor=staff, body="No dual relationships, ever.")
    with pytest.raises(services.SupporterNotReady):
        services.supporter_approve(actor=staff, supporter=supporter)  # accepted an older version
    services.supporter_accept_agreement(actor=member, supporter=supporter, agreement_version=newer.version)
    services.supporter_approve(actor=staff, supporter=supporter)
    supporter.refresh_from_db()
    assert supporter.status == "approved"
    assert RoleGrant.objects.filter(user=member, role=Role.SUPPORTER).exists()
    assert SupporterAgreement.objects.count() == 2
    services.supporter_retire(actor=staff, supporter=supporter)
    assert not RoleGrant.objects.filter(user=member, role=Role.SUPPORTER).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reminders_go_out_once_at_24_hours_and_1_hour(supporter: Any, seeker: Any) -> None:
    slots = open_slots(supporter, viewer=seeker)
    later = [slot for slot in slots if slot.starts_at > timezone.now() + dt.timedelta(hours=30)][0]
    booking = _book(seeker, supporter, later)
    assert services.reminders_send(now=booking.starts_at - dt.timedelta(hours=30)) == 0
    day_before = booking.starts_at - dt.timedelta(hours=23)
    assert services.reminders_send(now=day_before) == 1
    assert services.reminders_send(now=day_before + dt.timedelta(minutes=1)) == 0
    assert services.reminders_send(now=booking.starts_at - dt.timedelta(minutes=50)) == 1
    assert services.reminders_send(now=booking.starts_at - dt.timedelta(minutes=40)) == 0
    reminders = Notification.objects.filter(kind="support.session_reminder")
    assert reminders.count() == 4  # two reminders, both sides
    assert {notification.user_id for notification in reminders} == {seeker.pk, supporter.user_id}


@pytest.mark.django_db
def test_the_video_room_is_for_the_two_participants_of_a_confirmed_session(supporter: Any, seeker: Any) -> None:
    booking = _book(seeker, supporter, _first_slot(supporter, seeker))
    spec = booking_room_spec(str(booking.pk))
    assert spec is not None
    assert str(spec.title) == "Peerhaven session"
    assert spec.participant_ids == frozenset({seeker.pk, supporter.user_id})
    assert spec.host_ids == frozenset({supporter.user_id})
    services.booking_cancel(actor=seeker, booking=booking)
    assert booking_room_spec(str(booking.pk)) is None
    assert booking_room_spec("nope") is None


@pytest.mark.django_db
def test_holds_keep_a_slot_for_the_holder_only(supporter: Any, seeker: Any) -> None:
    slot = _first_slot(supporter, seeker)
    hold = services.hold_place(actor=seeker, supporter=supporter, starts_at=slot.starts_at,
                               length_minutes=slot.length_minutes)
    assert hold is not None
    other = make_member(verified=True)
    with pytest.raises(services.SlotUnavailable):
        services.booking_create(actor=other, supporter=supporter, starts_at=slot.starts_at,
                                length_minutes=slot.length_minutes)
    _book(seeker, supporter, slot)
    assert not SupporterProfile.objects.get(pk=supporter.pk).holds.exists()
    assert services.holds_purge_expired(now=timezone.now() + dt.timedelta(hours=1)) == 0


@pytest.mark.django_db
def test_export_and_erasure_cover_sessions(supporter: Any, seeker: Any) -> None:
    booking = _book(seeker, supporter, _first_slot(supporter, seeker), note="mine")
    exported = services.export_member(seeker)
    assert exported["sessions_booked"][0]["note"] == "mine"
    assert supporter.user.public_name not in str(exported)
    services.erase_member(seeker, keep_posts_as_former_member=True)
    assert not Booking.objects.filter(pk=booking.pk).exists()
