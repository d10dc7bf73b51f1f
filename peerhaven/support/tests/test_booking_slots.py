"""Slot generation: property tests across time zones and DST transitions (hypothesis), the
deliberate rules for nonexistent and ambiguous local times, every source of busy time, load
limits, and a query count that does not grow with days or bookings."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerhaven.accounts.tests.factories import make_member
from peerhaven.support.models import (
    AvailabilityWindow,
    Blackout,
    Booking,
    DateOverride,
    ExternalBusy,
    Hold,
)
from peerhaven.support.selectors.booking import (
    _BUSY_SOURCES,
    Rules,
    generate_slots,
    open_slots,
    register_busy_source,
    resolve_local,
)
from peerhaven.support.tests.grid_booking import make_booking, make_supporter

UTC = dt.UTC
ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kolkata",
         "America/Sao_Paulo", "UTC")


@cache
def transitions(zone_name: str) -> tuple[dt.datetime, ...]:
    """Instants (to the hour) where the zone's offset changes, 2010–2027."""
    zone = zoneinfo.ZoneInfo(zone_name)
    found = []
    moment = dt.datetime(2010, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment < dt.datetime(2028, 1, 1, tzinfo=UTC):
        moment += dt.timedelta(hours=1)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(moment)
            previous = offset
    return tuple(found) or (dt.datetime(2026, 3, 8, tzinfo=UTC),)


def _wall(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


window_times = st.tuples(st.integers(0, 23 * 4 - 1), st.integers(1, 16)).map(
    lambda pair: (dt.time(pair[0] // 4, (pair[0] % 4) * 15),
                  (dt.datetime(2000, 1, 1, pair[0] // 4, (pair[0] % 4) * 15) + dt.timedelta(minutes=15 * pair[1])).time()
                  if pair[0] * 15 + 15 * pair[1] < 24 * 60 else dt.time(23, 59))
)


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    zone_name = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(transitions(zone_name)))
    now = anchor - dt.timedelta(days=draw(st.integers(0, 6)), minutes=draw(st.integers(0, 24 * 60)))
    now = now.replace(second=0, microsecond=0)
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday in draw(st.sets(st.integers(0, 6), min_size=1, max_size=7)):
        start, end = draw(window_times)
        weekly.setdefault(weekday, []).append((start, end))
    lengths = draw(st.lists(st.sampled_from([20, 30, 45, 50, 60, 75, 90]), min_size=1, max_size=3, unique=True))
    buffer = dt.timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30])))
    bookings = [
        (now + dt.timedelta(minutes=draw(st.integers(0, 10 * 24 * 60))), draw(st.sampled_from(lengths)))
        for _ in range(draw(st.integers(0, 12)))
    ]
    notice = dt.timedelta(minutes=draw(st.sampled_from([0, 60, 24 * 60])))
    return {"zone": zoneinfo.ZoneInfo(zone_name), "now": now, "weekly": weekly, "lengths": lengths,
            "buffer": buffer, "bookings": bookings, "notice": notice}


def _is_ordinary_day(zone: zoneinfo.ZoneInfo, day: dt.date) -> bool:
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(UTC)
    end = start + dt.timedelta(hours=26)
    return start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset() and (
        (start + dt.timedelta(hours=12)).astimezone(zone).utcoffset() == start.astimezone(zone).utcoffset()
    )


def _check_slot_properties(slots: list[Any], scenario: dict[str, Any], busy: list[tuple[dt.datetime, dt.datetime]],
                           earliest: dt.datetime, latest: dt.datetime) -> None:
    zone = scenario["zone"]
    weekly = scenario["weekly"]
    buffer = scenario["buffer"]
    for slot in slots:
        # Exact length in absolute time.
        assert slot.ends_at - slot.starts_at == dt.timedelta(minutes=slot.length_minutes)
        assert slot.length_minutes in scenario["lengths"]
        # Notice and horizon.
        assert earliest <= slot.starts_at <= latest
        # Never overlapping a booking, buffers included on both sides.
        for busy_start, busy_end in busy:
            assert slot.ends_at + buffer <= busy_start or slot.starts_at >= busy_end + buffer, (slot, busy_start)
        # Inside one window of its local day, by the deliberate DST rules...
        local_day = slot.starts_at.astimezone(zone).date()
        candidates = [
            (resolve_local(day, start, zone, edge="start"), resolve_local(day, end, zone, edge="end"))
            for day in (local_day - dt.timedelta(days=1), local_day)
            for start, end in weekly.get(day.weekday(), [])
        ]
        assert any(start <= slot.starts_at and slot.ends_at <= end for start, end in candidates), slot
        # ... and, on an ordinary day, by the wall clock itself (independent of resolve_local).
        if _is_ordinary_day(zone, local_day):
            local_start = slot.starts_at.astimezone(zone)
            local_end = slot.ends_at.astimezone(zone)
            assert local_end.date() == local_day
            assert any(start <= local_start.time() and local_end.time() <= end
                       for start, end in weekly.get(local_day.weekday(), [])), slot


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_it_generates_slots_that_respect_every_rule_across_dst(scenario: dict[str, Any]) -> None:
    now, buffer = scenario["now"], scenario["buffer"]
    busy = [(start, start + dt.timedelta(minutes=length)) for start, length in scenario["bookings"]]
    earliest, latest = now + scenario["notice"], now + dt.timedelta(days=14)
    rules = Rules(zone=scenario["zone"], weekly=scenario["weekly"], overrides={}, buffer=buffer)
    slots = generate_slots(
        rules, lengths=scenario["lengths"], earliest=earliest, latest=latest,
        busy=[(start - buffer, end + buffer) for start, end in busy],
    )
    _check_slot_properties(slots, scenario, busy, earliest, latest)
    keys = [(slot.starts_at, slot.length_minutes) for slot in slots]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_it_offers_open_slots_from_the_database_that_respect_every_rule(scenario: dict[str, Any]) -> None:
    """The same properties end to end: windows, bookings (with their stored buffer) and notice
    come from the database through open_slots."""
    with transaction.atomic():
        zone_name = str(scenario["zone"].key)
        supporter = make_supporter(
            time_zone=zone_name, lengths=tuple(scenario["lengths"]), windows=(),
            min_notice_minutes=int(scenario["notice"].total_seconds() // 60),
            buffer_minutes=int(scenario["buffer"].total_seconds() // 60), horizon_days=14,
        )
        for weekday, windows in scenario["weekly"].items():
            for start, end in windows:
                AvailabilityWindow.objects.create(supporter=supporter, weekday=weekday, start_time=start, end_time=end)
        seeker = make_member(verified=True)
        busy: list[tuple[dt.datetime, dt.datetime]] = []
        for start, length in scenario["bookings"]:
            end = start + dt.timedelta(minutes=length)
            if any(start < other_end + supporter.buffer and other_start < end + supporter.buffer
                   for other_start, other_end in busy):
                continue  # active bookings never overlap (PostgreSQL's exclusion constraint refuses it)
            Booking.objects.create(seeker=seeker, supporter=supporter, starts_at=start, ends_at=end,
                                   blocked_until=end + supporter.buffer, length_minutes=length, status="confirmed")
            busy.append((start, end))
        now = scenario["now"]
        slots = open_slots(supporter, now=now)
        earliest, latest = now + scenario["notice"], now + dt.timedelta(days=14)
        _check_slot_properties(slots, scenario, busy, earliest, latest)
        transaction.set_rollback(True)


# --- the deliberate DST rules -------------------------------------------------------------------
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _rules(zone: str, weekly: dict[int, list[tuple[str, str]]]) -> Rules:
    return Rules(zone=zoneinfo.ZoneInfo(zone),
                 weekly={day: [(_wall(a), _wall(b)) for a, b in pairs] for day, pairs in weekly.items()},
                 overrides={}, buffer=dt.timedelta())


def _slots(rules: Rules, day: dt.date, lengths: list[int]) -> list[Any]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=UTC) - dt.timedelta(days=1)
    return generate_slots(rules, lengths=lengths, earliest=start, latest=start + dt.timedelta(days=3), busy=[])


def test_it_moves_a_window_edge_in_a_spring_forward_gap_to_the_end_of_the_gap() -> None:
    day = dt.date(2026, 3, 8)  # New York skips 02:00–03:00
    assert resolve_local(day, _wall("02:30"), NEW_YORK, edge="start") == dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert resolve_local(day, _wall("02:30"), NEW_YORK, edge="end") == dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    # A window 01:00–04:00 that night is two real hours long: 60-minute slots fit three times.
    slots = [slot for slot in _slots(_rules("America/New_York", {6: [("01:00", "04:00")]}), day, [60])
             if slot.starts_at.astimezone(NEW_YORK).date() == day]
    assert [slot.starts_at.astimezone(NEW_YORK).strftime("%H:%M%z") for slot in slots] == [
        "01:00-0500", "01:30-0500", "03:00-0400",
    ]
    assert all(slot.ends_at - slot.starts_at == dt.timedelta(hours=1) for slot in slots)


def test_it_reads_an_ambiguous_start_as_its_first_occurrence_and_an_end_as_its_last() -> None:
    day = dt.date(2026, 11, 1)  # New York repeats 01:00–02:00
    start = resolve_local(day, _wall("01:00"), NEW_YORK, edge="start")
    end = resolve_local(day, _wall("01:59"), NEW_YORK, edge="end")
    assert start == dt.datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 01:00 EDT
    assert end == dt.datetime(2026, 11, 1, 6, 59, tzinfo=UTC)  # 01:59 EST
    slots = [slot for slot in _slots(_rules("America/New_York", {6: [("01:00", "02:00")]}), day, [50])
             if slot.starts_at.astimezone(NEW_YORK).date() == day]
    assert len(slots) == 3  # 01:00 EDT, 01:30 EDT, 01:00 EST: the repeated hour is offered too


def test_it_keeps_a_weekly_time_at_the_same_local_hour_across_the_change() -> None:
    rules = _rules("Europe/London", {1: [("18:00", "19:00")]})  # Tuesdays 18:00
    start = dt.datetime(2026, 3, 20, tzinfo=UTC)
    slots = generate_slots(rules, lengths=[50], earliest=start, latest=start + dt.timedelta(days=14), busy=[])
    london = zoneinfo.ZoneInfo("Europe/London")
    assert {slot.starts_at.astimezone(london).strftime("%H:%M") for slot in slots} == {"18:00"}
    assert {slot.starts_at.strftime("%H:%M") for slot in slots} == {"18:00", "17:00"}  # GMT, then BST


def test_it_handles_lord_howes_half_hour_change() -> None:
    lord_howe = zoneinfo.ZoneInfo("Australia/Lord_Howe")
    day = dt.date(2026, 10, 4)  # 02:00 becomes 02:30
    assert resolve_local(day, _wall("02:15"), lord_howe, edge="start").astimezone(lord_howe).strftime("%H:%M") == "02:30"
    slots = [slot for slot in _slots(_rules("Australia/Lord_Howe", {6: [("01:30", "03:00")]}), day, [30])
             if slot.starts_at.astimezone(lord_howe).date() == day]
    # One real hour: 01:30, 02:30 (02:00 does not exist), never longer than 30 minutes each.
    assert [slot.starts_at.astimezone(lord_howe).strftime("%H:%M") for slot in slots] == ["01:30", "02:30"]


def test_it_offers_nothing_on_the_day_samoa_skipped() -> None:
    apia = zoneinfo.ZoneInfo("Pacific/Apia")
    rules = _rules("Pacific/Apia", {day: [("09:00", "11:00")] for day in range(7)})
    start = dt.datetime(2011, 12, 28, tzinfo=UTC)
    slots = generate_slots(rules, lengths=[60], earliest=start, latest=start + dt.timedelta(days=5), busy=[])
    days = {slot.starts_at.astimezone(apia).date() for slot in slots}
    assert dt.date(2011, 12, 30) not in days
    assert {dt.date(2011, 12, 29), dt.date(2011, 12, 31)} <= days


# --- every source of busy time, from the database -------------------------------------------------
@pytest.fixture
def supporter() -> Any:
    return make_supporter(time_zone="America/New_York", lengths=(50,), buffer_minutes=10,
                          windows=tuple((day, "09:00", "12:00") for day in range(7)))


def _starts(slots: list[Any]) -> set[dt.datetime]:
    return {slot.starts_at for slot in slots}


def _local(day: dt.date, wall: str) -> dt.datetime:
    return dt.datetime.combine(day, _wall(wall), tzinfo=NEW_YORK).astimezone(UTC)


NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday, 08:00 in New York
DAY = dt.date(2026, 6, 3)


@pytest.mark.django_db
def test_it_removes_booked_time_with_buffers_and_frees_it_when_cancelled(supporter: Any) -> None:
    seeker = make_member(verified=True)
    booking = Booking.objects.create(seeker=seeker, supporter=supporter, starts_at=_local(DAY, "10:00"),
                                     ends_at=_local(DAY, "10:50"), blocked_until=_local(DAY, "11:00"),
                                     length_minutes=50, status="confirmed")
    starts = _starts(open_slots(supporter, now=NOW))
    # 09:00–09:50 ends 10 minutes before (the buffer): fine; 09:30 would run into it; 11:00 is after the buffer.
    assert _local(DAY, "09:00") in starts and _local(DAY, "11:00") in starts
    assert not {_local(DAY, "09:30"), _local(DAY, "10:00"), _local(DAY, "10:30")} & starts
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    assert {_local(DAY, "09:30"), _local(DAY, "10:00"), _local(DAY, "10:30")} <= _starts(open_slots(supporter, now=NOW))


@pytest.mark.django_db
def test_it_honours_overrides_blackouts_holds_external_busy_and_other_commitments(supporter: Any) -> None:
    viewer, other = make_member(verified=True), make_member(verified=True)
    next_day = DAY + dt.timedelta(days=1)
    DateOverride.objects.create(supporter=supporter, date=DAY, closed=True)
    DateOverride.objects.create(supporter=supporter, date=next_day, windows=[["14:00", "15:00"]])
    Blackout.objects.create(supporter=supporter, starts_at=_local(DAY + dt.timedelta(days=2), "00:00"),
                            ends_at=_local(DAY + dt.timedelta(days=3), "00:00"))
    Hold.objects.create(supporter=supporter, holder=other, starts_at=_local(DAY + dt.timedelta(days=3), "09:00"),
                        ends_at=_local(DAY + dt.timedelta(days=3), "09:50"), expires_at=NOW + dt.timedelta(minutes=5))
    ExternalBusy.objects.create(supporter=supporter, starts_at=_local(DAY + dt.timedelta(days=4), "09:00"),
                                ends_at=_local(DAY + dt.timedelta(days=4), "12:00"))
    commitment = (_local(DAY + dt.timedelta(days=5), "10:00"), _local(DAY + dt.timedelta(days=5), "10:30"))

    def group_meetings(user_ids: Any, start: dt.datetime, end: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
        return {supporter.user_id: [commitment]} if supporter.user_id in user_ids else {}

    register_busy_source(group_meetings)
    try:
        slots = open_slots(supporter, viewer=viewer, now=NOW)
        own_view = open_slots(supporter, viewer=other, now=NOW)
    finally:
        _BUSY_SOURCES.remove(group_meetings)
    by_day: dict[dt.date, set[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.astimezone(NEW_YORK).date(), set()).add(
            slot.starts_at.astimezone(NEW_YORK).strftime("%H:%M"))
    assert DAY not in by_day  # closed
    assert by_day[next_day] == {"14:00"}  # only the override's window
    assert DAY + dt.timedelta(days=2) not in by_day  # blackout
    assert "09:00" not in by_day[DAY + dt.timedelta(days=3)]  # someone else's hold
    assert _local(DAY + dt.timedelta(days=3), "09:00") in _starts(own_view)  # the holder still sees it
    assert DAY + dt.timedelta(days=4) not in by_day  # busy in their own calendar all morning
    assert by_day[DAY + dt.timedelta(days=5)] == {"09:00", "11:00"}  # around the commitment, with buffers


@pytest.mark.django_db
def test_it_respects_notice_horizon_and_pause() -> None:
    supporter = make_supporter(min_notice_minutes=24 * 60, horizon_days=7)
    slots = open_slots(supporter, now=NOW)
    assert min(slot.starts_at for slot in slots) >= NOW + dt.timedelta(days=1)
    assert max(slot.starts_at for slot in slots) <= NOW + dt.timedelta(days=7)
    paused = make_supporter(status="paused")
    assert open_slots(paused, now=NOW) == []


@pytest.mark.django_db
def test_it_stops_offering_a_week_once_the_weekly_limit_is_reached() -> None:
    supporter = make_supporter(max_per_week=1, max_per_month=10, time_zone="UTC")
    seeker = make_member(verified=True)
    start = dt.datetime(2026, 6, 3, 9, 0, tzinfo=UTC)  # Wednesday
    Booking.objects.create(seeker=seeker, supporter=supporter, starts_at=start, ends_at=start + dt.timedelta(minutes=50),
                           blocked_until=start + dt.timedelta(minutes=60), length_minutes=50, status="confirmed")
    weeks = {slot.starts_at.isocalendar().week for slot in open_slots(supporter, now=NOW)}
    assert start.isocalendar().week not in weeks
    assert start.isocalendar().week + 1 in weeks


@pytest.mark.django_db
def test_it_computes_sixty_days_in_a_constant_number_of_queries() -> None:
    def count(bookings: int) -> int:
        supporter = make_supporter(time_zone="Europe/London", lengths=(30, 50), horizon_days=60)
        seeker = make_member(verified=True)
        Booking.objects.bulk_create([
            Booking(seeker=seeker, supporter=supporter, starts_at=NOW + dt.timedelta(hours=4 * index),
                    ends_at=NOW + dt.timedelta(hours=4 * index, minutes=50),
                    blocked_until=NOW + dt.timedelta(hours=4 * index, minutes=60), length_minutes=50, status="confirmed")
            for index in range(bookings)
        ])
        with CaptureQueriesContext(connection) as queries:
            open_slots(supporter, now=NOW)
        return len(queries)

    few, many = count(3), count(300)
    assert few == many
    assert many <= 8


@pytest.mark.django_db
def test_a_booking_made_by_the_helpers_blocks_its_slot() -> None:
    booking = make_booking()
    assert booking.starts_at not in _starts(open_slots(booking.supporter, now=booking.starts_at - dt.timedelta(days=1)))


@pytest.mark.django_db
def test_group_meetings_and_meetups_of_the_supporter_are_kept_out_of_their_slots(supporter: Any) -> None:
    """The other programmes' commitments, through the busy sources groups and live register:
    a meeting of a group the supporter is in, a meetup they host, one they joined; not a meetup
    they were removed from, nor a meeting of a group they left."""
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.groups.models import Meeting, Membership, MembershipStatus
    from peerhaven.groups.tests.grid_meetings import make_group
    from peerhaven.live.models import Meetup, MeetupRegistration

    me = supporter.user
    facilitator = make_member(verified=True)
    mine = make_group(facilitator, members=(me,), name="Thursday consultation")
    left = make_group(facilitator, members=(me,), name="Old group")
    Membership.objects.filter(group=left, user=me).update(status=MembershipStatus.LEFT)
    days = [DAY + dt.timedelta(days=n) for n in range(5)]
    Meeting.objects.create(group=mine, starts_at=_local(days[0], "10:00"), ends_at=_local(days[0], "11:00"))
    Meeting.objects.create(group=left, starts_at=_local(days[1], "10:00"), ends_at=_local(days[1], "11:00"))

    def meetup(host: Any, day: dt.date) -> Any:
        return Meetup.objects.create(title="Circle", starts_at=_local(day, "10:00"), ends_at=_local(day, "11:00"),
                                     capacity=20, host=host)

    meetup(me, days[2])
    MeetupRegistration.objects.create(meetup=meetup(facilitator, days[3]), member=me)
    MeetupRegistration.objects.create(meetup=meetup(facilitator, days[4]), member=me, removed_at=NOW)

    by_day: dict[dt.date, set[str]] = {}
    for slot in open_slots(supporter, viewer=make_member(verified=True), now=NOW):
        by_day.setdefault(slot.starts_at.astimezone(NEW_YORK).date(), set()).add(
            slot.starts_at.astimezone(NEW_YORK).strftime("%H:%M"))
    free = {"09:00", "09:10", "09:20", "09:30", "09:40", "09:50", "10:00", "10:10", "10:20", "10:30", "10:40",
            "10:50", "11:00", "11:10"}
    for day in (days[0], days[2], days[3]):  # busy 10:00–11:00, 10-minute buffer either side
        assert not any("09:10" < start < "11:10" for start in by_day[day]), (day, by_day[day])
    for day in (days[1], days[4]):  # the group was left, the member removed from the meetup
        assert by_day[day] & free == by_day[DAY + dt.timedelta(days=6)] & free, day
