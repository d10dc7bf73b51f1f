"""Reads for T4T booking: open slots (the availability engine), a member's sessions, the
supporter's requests, the calendar feed's entries.

Slots are computed in the supporter's own time zone (weekly windows, date overrides) and
returned as UTC instants; pages convert them to the viewer's zone. The DST rules are
deliberate (see `resolve_local`): a window edge that falls in a spring-forward gap moves to the
end of the gap; an ambiguous (fall-back) start means its first occurrence and an ambiguous end
its last, so a window always covers every wall-clock minute it names.

Busy time: active bookings and other members' holds (each widened by the supporter's buffer),
blackouts, busy times imported from the supporter's own calendar (ExternalBusy), and the
supporter's other commitments on the platform, which other apps add through
`register_busy_source`. The query count does not depend on the number of days or bookings.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from peerhaven.support.models.booking import (
    ACTIVE_BOOKING_STATUSES,
    AvailabilityWindow,
    Blackout,
    Booking,
    BookingStatus,
    CalendarFeedToken,
    DateOverride,
    ExternalBusy,
    Hold,
    SupporterAgreement,
    SupporterProfile,
    SupporterStatus,
    parse_override_windows,
)

UTC = dt.UTC
# Slots start every SLOT_STEP from the start of each window.
SLOT_STEP = dt.timedelta(minutes=30)
# Bookings that count towards a supporter's weekly and monthly load.
LOAD_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)

Interval = tuple[dt.datetime, dt.datetime]
BusySource = Callable[[Sequence[int], dt.datetime, dt.datetime], Mapping[int, Iterable[Interval]]]
_BUSY_SOURCES: list[BusySource] = []


def register_busy_source(source: BusySource) -> None:
    """Other apps add a supporter's commitments there (group meetings they take part in, meetups
    they host or joined, check-ins): `source(user_ids, start, end)` returns, per user id, the
    (start, end) pairs of aware datetimes overlapping [start, end). One call covers every
    supporter of a page or a ranking, so keep each source to one query whatever the number."""
    if source not in _BUSY_SOURCES:
        _BUSY_SOURCES.append(source)


def busy_sources() -> tuple[BusySource, ...]:
    return tuple(_BUSY_SOURCES)


class Slot(NamedTuple):
    """One bookable time (a named tuple: thousands are made per call)."""

    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime
    length_minutes: int

    @property
    def key(self) -> str:
        return self.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


# --- local time, deliberately --------------------------------------------------------------------
def resolve_local(day: dt.date, wall: dt.time, zone: zoneinfo.ZoneInfo, *, edge: str) -> dt.datetime:
    """The UTC instant of wall-clock `wall` on `day` in `zone`, for a window `edge` ("start" or
    "end").

    - Nonexistent (inside a spring-forward gap): the instant the gap ends, for either edge.
    - Ambiguous (inside a fall-back repeat): a start is its first occurrence, an end its last.
    """
    naive = dt.datetime.combine(day, wall)
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    early_utc, late_utc = early.astimezone(UTC), late.astimezone(UTC)
    round_trip = early_utc.astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        # A gap: the two readings of the wall time (offset before / after the change) bracket
        # the instant the offset changes, which is where the gap ends.
        return _transition_instant(min(early_utc, late_utc), max(early_utc, late_utc), zone)
    return min(early_utc, late_utc) if edge == "start" else max(early_utc, late_utc)


def _transition_instant(low: dt.datetime, high: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first instant in (low, high] whose offset differs from low's (minute resolution)."""
    offset = low.astimezone(zone).utcoffset()
    while high - low > dt.timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


# --- the pure engine -----------------------------------------------------------------------------
# The engine works on POSIX seconds (floats holding whole seconds in practice): thousands of
# candidates per call, and datetime arithmetic and zone conversions were most of the cost.
Seconds = tuple[float, float]
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    zone: zoneinfo.ZoneInfo
    weekly: dict[int, list[tuple[dt.time, dt.time]]]  # weekday -> windows
    overrides: dict[dt.date, list[tuple[dt.time, dt.time]]]  # date -> windows ([] = closed)
    buffer: dt.timedelta


def _wall_seconds(wall: dt.time) -> float:
    return wall.hour * 3600 + wall.minute * 60 + wall.second + wall.microsecond / 1_000_000


def _steady_offset(day: dt.date, zone: zoneinfo.ZoneInfo) -> int | None:
    """The zone's UTC offset in seconds when it holds all through the local `day` (no change
    of offset from its midnight to the next, so every wall time exists exactly once), else None
    (then each edge goes through resolve_local)."""
    midnight = dt.datetime.combine(day, dt.time())
    following = midnight + _ONE_DAY
    offset = zone.utcoffset(midnight)
    if (
        offset is None
        or zone.utcoffset(midnight.replace(fold=1)) != offset
        or zone.utcoffset(midnight.replace(hour=12)) != offset
        or zone.utcoffset(following) != offset
        or zone.utcoffset(following.replace(fold=1)) != offset
    ):
        return None
    return int(offset.total_seconds())


def window_seconds(rules: Rules, first: float, last: float) -> list[Seconds]:
    """Each window of each local day touching [first, last), as POSIX-second intervals, in
    order. A day whose offset does not change is one subtraction per edge; only a day with a
    change (twice a year at most) resolves its edges by the deliberate rules of resolve_local."""
    zone = rules.zone
    day = dt.datetime.fromtimestamp(first, zone).date() - _ONE_DAY
    last_day = dt.datetime.fromtimestamp(last, zone).date() + _ONE_DAY
    as_seconds: dict[tuple[dt.time, dt.time], tuple[float, float]] = {}
    intervals: list[Seconds] = []
    while day <= last_day:
        windows = rules.overrides.get(day)
        if windows is None:
            windows = rules.weekly.get(day.weekday(), [])
        if windows:
            offset = _steady_offset(day, zone)
            base = (day.toordinal() - _EPOCH_ORDINAL) * 86400 - (offset or 0)
            for wall_start, wall_end in windows:
                if offset is not None:
                    pair = as_seconds.get((wall_start, wall_end))
                    if pair is None:
                        pair = as_seconds[(wall_start, wall_end)] = (_wall_seconds(wall_start), _wall_seconds(wall_end))
                    opens, closes = base + pair[0], base + pair[1]
                else:
                    opens = resolve_local(day, wall_start, zone, edge="start").timestamp()
                    closes = resolve_local(day, wall_end, zone, edge="end").timestamp()
                if closes > opens and closes > first and opens < last:
                    intervals.append((opens, closes))
        day += _ONE_DAY
    intervals.sort()
    return intervals


def window_intervals(rules: Rules, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """Each window of each local day touching [start, end), as UTC intervals, in order."""
    return [
        (dt.datetime.fromtimestamp(opens, UTC), dt.datetime.fromtimestamp(closes, UTC))
        for opens, closes in window_seconds(rules, start.timestamp(), end.timestamp())
    ]


def merge_intervals(intervals: Iterable[Any]) -> list[Any]:
    """Sorted, disjoint intervals covering the same time (datetimes or seconds alike)."""
    merged: list[Any] = []
    for busy_start, busy_end in sorted(intervals):
        if busy_end <= busy_start:
            continue
        if merged and busy_start <= merged[-1][1]:
            if busy_end > merged[-1][1]:
                merged[-1] = (merged[-1][0], busy_end)
        else:
            merged.append((busy_start, busy_end))
    return merged


def open_starts(
    rules: Rules, *, lengths: Sequence[int], first: float, last: float, busy: Iterable[Seconds], step: float,
) -> list[tuple[float, int]]:
    """(start, length) of every open slot, sorted, in POSIX seconds: starts in [first, last],
    stepping from each window's start, inside the window and clear of every busy interval.

    Each window is walked gap by gap between the (merged, sorted) busy intervals, and a gap's
    starts are one range: the work grows with the slots found, not with candidates times busy."""
    merged = merge_intervals(busy)
    busy_starts = [interval[0] for interval in merged]
    busy_ends = [interval[1] for interval in merged]
    count = len(merged)
    found: list[tuple[float, int]] = []
    wanted = sorted(set(lengths))
    for opens, closes in window_seconds(rules, first, last + 4 * 3600):
        if opens < first:
            # First step at or after `first`, keeping the window's rhythm.
            opens += math.ceil((first - opens) / step) * step
        # The first busy interval that ends after the window's first start (touching is free).
        first_busy = bisect.bisect_right(busy_ends, opens)
        for length in wanted:
            duration = length * 60
            cursor, index = opens, first_busy
            while cursor <= last:
                more = index < count and busy_starts[index] < closes
                gap_end = busy_starts[index] if more else closes
                highest = min(gap_end - duration, last)
                if highest >= cursor:
                    low = math.ceil((cursor - opens) / step)
                    high = math.floor((highest - opens) / step)
                    found.extend((opens + number * step, length) for number in range(low, high + 1))
                if not more:
                    break
                cursor = max(cursor, busy_ends[index])
                index += 1
    return sorted(set(found))


def _as_slots(starts: Iterable[tuple[float, int]]) -> list[Slot]:
    lengths: dict[int, dt.timedelta] = {}
    instants: dict[float, dt.datetime] = {}
    make = tuple.__new__  # Slot(...) without the named tuple's argument handling
    slots: list[Slot] = []
    for candidate, length in starts:
        starts_at = instants.get(candidate)
        if starts_at is None:
            starts_at = instants[candidate] = dt.datetime.fromtimestamp(candidate, UTC)
        duration = lengths.get(length)
        if duration is None:
            duration = lengths[length] = dt.timedelta(minutes=length)
        slots.append(make(Slot, (starts_at, starts_at + duration, length)))
    return slots


def generate_slots(
    rules: Rules,
    *,
    lengths: Sequence[int],
    earliest: dt.datetime,
    latest: dt.datetime,
    busy: Iterable[Interval],
    step: dt.timedelta = SLOT_STEP,
) -> list[Slot]:
    """Slots of each of `lengths` minutes starting in [earliest, latest], inside a window,
    clear of every `busy` interval (already widened by buffers). Lengths are exact in absolute
    time; slot starts step from each window's start in absolute time."""
    return _as_slots(open_starts(
        rules, lengths=lengths, first=earliest.timestamp(), last=latest.timestamp(),
        busy=[(busy_start.timestamp(), busy_end.timestamp()) for busy_start, busy_end in busy],
        step=step.total_seconds(),
    ))


# --- the database side ---------------------------------------------------------------------------
def supporter_rules(supporter: SupporterProfile, *, start: dt.date, end: dt.date) -> Rules:
    """Two queries: weekly windows and the overrides between `start` and `end` (local dates)."""
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start_time, end_time in (
        AvailabilityWindow.objects.filter(supporter=supporter)
        .order_by("weekday", "start_time")
        .values_list("weekday", "start_time", "end_time")
    ):
        weekly.setdefault(weekday, []).append((start_time, end_time))
    overrides = {
        date: parse_override_windows(closed, windows)
        for date, closed, windows in DateOverride.objects.filter(supporter=supporter, date__gte=start, date__lte=end)
        .order_by()
        .values_list("date", "closed", "windows")
    }
    return Rules(zone=supporter.zone, weekly=weekly, overrides=overrides, buffer=supporter.buffer)


def _month_start(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date().replace(day=1)


def _load_keys(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> tuple[tuple[int, int], tuple[int, int]]:
    local = moment.astimezone(zone).date()
    iso = local.isocalendar()
    return (iso.year, iso.week), (local.year, local.month)


@dataclass
class Load:
    """Sessions per ISO week and per calendar month (in the supporter's zone)."""

    per_week: dict[tuple[int, int], int]
    per_month: dict[tuple[int, int], int]
    max_per_week: int
    max_per_month: int
    zone: zoneinfo.ZoneInfo
    periods: _Periods | None = None

    def __post_init__(self) -> None:
        # Most supporters have room in every period: then no slot needs its local date.
        self.any_full = any(count >= self.max_per_week for count in self.per_week.values()) or any(
            count >= self.max_per_month for count in self.per_month.values()
        )

    def _room(self, week: tuple[int, int], month: tuple[int, int]) -> bool:
        return self.per_week.get(week, 0) < self.max_per_week and self.per_month.get(month, 0) < self.max_per_month

    def has_room(self, moment: dt.datetime) -> bool:
        if not self.any_full:
            return True
        return self._room(*_load_keys(moment, self.zone))

    def has_room_at(self, stamp: float) -> bool:
        """has_room for POSIX seconds (two bisections when the periods are known)."""
        if not self.any_full:
            return True
        if self.periods is not None:
            return self._room(*self.periods.keys_at(stamp))
        return self.has_room(dt.datetime.fromtimestamp(stamp, UTC))


class _Periods:
    """The ISO weeks and calendar months of `zone` between two local dates, as UTC instants, so
    that a booking's (week, month) is two bisections instead of a zone conversion."""

    def __init__(self, zone: zoneinfo.ZoneInfo, first: dt.date, last: dt.date) -> None:
        monday = first - dt.timedelta(days=first.weekday())
        self.week_starts: list[float] = []
        self.week_keys: list[tuple[int, int]] = []
        while monday <= last:
            self.week_starts.append(dt.datetime.combine(monday, dt.time(), tzinfo=zone).timestamp())
            iso = monday.isocalendar()
            self.week_keys.append((iso.year, iso.week))
            monday += dt.timedelta(days=7)
        month = first.replace(day=1)
        self.month_starts: list[float] = []
        self.month_keys: list[tuple[int, int]] = []
        while month <= last:
            self.month_starts.append(dt.datetime.combine(month, dt.time(), tzinfo=zone).timestamp())
            self.month_keys.append((month.year, month.month))
            month = (month + dt.timedelta(days=32)).replace(day=1)
        self.zone = zone

    def keys_at(self, stamp: float) -> tuple[tuple[int, int], tuple[int, int]]:
        week = bisect.bisect_right(self.week_starts, stamp) - 1
        month = bisect.bisect_right(self.month_starts, stamp) - 1
        if week < 0 or month < 0 or week == len(self.week_starts) - 1 or month == len(self.month_starts) - 1:
            # Before the first period, or in the last one (whose end is not known): ask the zone.
            return _load_keys(dt.datetime.fromtimestamp(stamp, UTC), self.zone)
        return self.week_keys[week], self.month_keys[month]

    def keys_of(self, moment: dt.datetime) -> tuple[tuple[int, int], tuple[int, int]]:
        return self.keys_at(moment.timestamp())


def _epoch_sql(column: str) -> str:
    """A datetime column as POSIX seconds (float, microseconds kept), computed by the database:
    parsing hundreds of timestamps in Python cost more than the rest of a slot query.
    PostgreSQL: EXTRACT(EPOCH); SQLite stores UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]": whole
    seconds from strftime('%s') plus the text's fraction."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::double precision"
    return f"(CAST(strftime('%%s', {column}) AS INTEGER) + COALESCE(CAST(substr({column}, 20) AS REAL), 0.0))"


def busy_rows_sql(
    supporter_ids: Sequence[int], *, start: dt.datetime, end: dt.datetime, now: dt.datetime, load_from: dt.datetime,
    load_until: dt.datetime, viewer_id: int | None = None, ignore_booking_id: int | None = None,
    seeker_user_ids: Sequence[int] = (),
) -> tuple[str, list[Any]]:
    """One UNION ALL of every busy row of these supporters as (owner, start, end, minutes,
    kind), times in POSIX seconds: their bookings of the load period (owner = supporter id,
    end = blocked-until, minutes = length, kind = status), other members' holds, blackouts,
    imported busy times and, for `seeker_user_ids`, those members' own sessions as seekers
    (owner = user id, kind "seeker"). Written out rather than built by the ORM: building the
    five-part query cost twice its round trip, on every slot request."""
    ops = connection.ops
    quote = ops.quote_name

    def at(moment: dt.datetime) -> Any:
        return ops.adapt_datetimefield_value(moment)

    def select(model: Any, columns: tuple[str, str, str, str, str], conditions: list[tuple[str, str]]) -> str:
        """SELECT owner, (start, end) as seconds and two more columns (names, or SQL
        constants) WHERE each (field, comparison with placeholders) holds. Quoted identifiers
        and constants only: every value is a parameter."""
        def name(field: str) -> str:
            return quote(model._meta.get_field(field).column)

        extra = [column if column[0] in "'0123456789" else name(column) for column in columns[3:]]
        where = " AND ".join(f"{name(field)} {comparison}" for field, comparison in conditions)
        return (
            f"SELECT {name(columns[0])}, {_epoch_sql(name(columns[1]))}, {_epoch_sql(name(columns[2]))}, "  # noqa: S608
            f"{extra[0]}, {extra[1]} FROM {quote(model._meta.db_table)} WHERE {where}"
        )

    def among(values: Sequence[Any]) -> str:
        return "IN (" + ", ".join(["%s"] * len(values)) + ")"

    ids = list(supporter_ids)
    load_statuses = [str(status) for status in LOAD_STATUSES]
    active = [str(status) for status in ACTIVE_BOOKING_STATUSES]
    booking_where = [("supporter", among(ids)), ("status", among(load_statuses)), ("starts_at", "< %s"), ("blocked_until", "> %s")]
    params: list[Any] = [*ids, *load_statuses, at(load_until), at(load_from)]
    if ignore_booking_id is not None:
        booking_where.append(("id", "<> %s"))
        params.append(ignore_booking_id)
    parts = [select(Booking, ("supporter", "starts_at", "blocked_until", "length_minutes", "status"), booking_where)]
    hold_where = [("supporter", among(ids)), ("expires_at", "> %s"), ("starts_at", "< %s"), ("ends_at", "> %s")]
    params += [*ids, at(now), at(end), at(start)]
    if viewer_id:
        hold_where.append(("holder", "<> %s"))
        params.append(viewer_id)
    parts.append(select(Hold, ("supporter", "starts_at", "ends_at", "0", "'hold'"), hold_where))
    for model, kind in ((Blackout, "'blackout'"), (ExternalBusy, "'external'")):
        parts.append(select(
            model, ("supporter", "starts_at", "ends_at", "0", kind),
            [("supporter", among(ids)), ("starts_at", "< %s"), ("ends_at", "> %s")],
        ))
        params += [*ids, at(end), at(start)]
    if seeker_user_ids:
        users = list(seeker_user_ids)
        parts.append(select(
            Booking, ("seeker", "starts_at", "ends_at", "0", "'seeker'"),
            [("seeker", among(users)), ("status", among(active)), ("starts_at", "< %s"), ("ends_at", "> %s")],
        ))
        params += [*users, *active, at(end), at(start)]
    return " UNION ALL ".join(parts), params


def supporter_busy_seconds_and_load(
    supporter: SupporterProfile,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    viewer: Any = None,
    ignore_booking_id: int | None = None,
) -> tuple[list[Seconds], Load]:
    """Every busy interval touching [start, end) in POSIX seconds (widened by the buffer where
    it applies) and the load per week and month around it. Constant number of queries: one
    UNION ALL for bookings, holds, blackouts, imported busy times and (this app's own busy
    source) the supporter's sessions as a seeker, plus whatever other apps' sources cost."""
    zone = supporter.zone
    buffer = supporter.buffer_minutes * 60
    busy: list[Seconds] = []
    # Load counts whole weeks and months: fetch from the start of the earliest month (or ISO
    # week) to the end of the latest.
    local_start = start.astimezone(zone).date()
    load_from_date = min(local_start.replace(day=1), local_start - dt.timedelta(days=local_start.weekday()))
    load_from = dt.datetime.combine(load_from_date, dt.time(), tzinfo=zone) - dt.timedelta(days=1)
    load_until = end + dt.timedelta(days=38)
    per_week: dict[tuple[int, int], int] = {}
    per_month: dict[tuple[int, int], int] = {}
    viewer_id = getattr(viewer, "pk", None) if viewer is not None else None
    sources = busy_sources()
    sql, params = busy_rows_sql(
        [supporter.pk], start=start, end=end, now=now, load_from=load_from, load_until=load_until,
        viewer_id=viewer_id, ignore_booking_id=ignore_booking_id,
        seeker_user_ids=[supporter.user_id] if seeker_bookings_busy in sources else [],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    periods = _Periods(zone, load_from_date, load_until.astimezone(zone).date() + dt.timedelta(days=1))
    for _owner, opens, closes, minutes, kind in rows:
        if kind == "blackout":
            busy.append((opens, closes))  # no sessions at all: no buffer needed
        elif kind in ("hold", "external", "seeker"):
            busy.append((opens - buffer, closes + buffer))
        else:
            week, month = periods.keys_at(opens)
            per_week[week] = per_week.get(week, 0) + 1
            per_month[month] = per_month.get(month, 0) + 1
            if kind in ACTIVE_BOOKING_STATUSES:
                # closes is blocked_until here (end plus the buffer at booking time).
                busy.append((opens - buffer, max(closes, opens + minutes * 60 + buffer)))
    # Sources need the member's id: the loaded user when there is one, else a stand-in with
    # the id only (no query for it).
    for source in sources:
        if source is seeker_bookings_busy:
            continue  # in the UNION ALL above
        for busy_start, busy_end in source([supporter.user_id], start, end).get(supporter.user_id, ()):
            busy.append((busy_start.timestamp() - buffer, busy_end.timestamp() + buffer))
    load = Load(per_week, per_month, supporter.max_per_week, supporter.max_per_month, zone, periods)
    return busy, load


def supporter_busy_and_load(
    supporter: SupporterProfile,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    viewer: Any = None,
    ignore_booking_id: int | None = None,
) -> tuple[list[Interval], Load]:
    """supporter_busy_seconds_and_load with aware UTC datetimes."""
    busy, load = supporter_busy_seconds_and_load(
        supporter, start=start, end=end, now=now, viewer=viewer, ignore_booking_id=ignore_booking_id
    )
    return [(dt.datetime.fromtimestamp(opens, UTC), dt.datetime.fromtimestamp(closes, UTC)) for opens, closes in busy], load


def booking_window(supporter: SupporterProfile, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(earliest start, latest start) the supporter's notice and horizon allow."""
    return (
        now + dt.timedelta(minutes=supporter.min_notice_minutes),
        now + dt.timedelta(days=supporter.horizon_days),
    )


def open_slots(
    supporter: SupporterProfile,
    *,
    viewer: Any = None,
    lengths: Sequence[int] | None = None,
    now: dt.datetime | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    ignore_booking_id: int | None = None,
) -> list[Slot]:
    """Open slots of an approved supporter between `start` and `end` (default: everything the
    notice and horizon allow), for `viewer` (whose own hold stays visible to them). Three
    queries (weekly windows, date overrides, busy rows), whatever the days or bookings."""
    if supporter.status != SupporterStatus.APPROVED:
        return []
    now = now or timezone.now()
    earliest, latest = booking_window(supporter, now)
    if start is not None:
        earliest = max(earliest, start)
    if end is not None:
        latest = min(latest, end)
    if latest < earliest:
        return []
    lengths = [length for length in (lengths or supporter.session_lengths) if length in supporter.session_lengths]
    if not lengths:
        return []
    longest = dt.timedelta(minutes=max(lengths))
    span_end = latest + longest
    zone = supporter.zone
    rules = supporter_rules(
        supporter,
        start=earliest.astimezone(zone).date() - dt.timedelta(days=1),
        end=span_end.astimezone(zone).date() + dt.timedelta(days=1),
    )
    busy, load = supporter_busy_seconds_and_load(
        supporter, start=earliest - dt.timedelta(days=1), end=span_end + dt.timedelta(days=1), now=now,
        viewer=viewer, ignore_booking_id=ignore_booking_id,
    )
    starts = open_starts(
        rules, lengths=lengths, first=earliest.timestamp(), last=latest.timestamp(), busy=busy,
        step=SLOT_STEP.total_seconds(),
    )
    if load.any_full:
        starts = [(candidate, length) for candidate, length in starts if load.has_room_at(candidate)]
    return _as_slots(starts)


def slot_is_open(
    supporter: SupporterProfile,
    *,
    starts_at: dt.datetime,
    length_minutes: int,
    viewer: Any = None,
    now: dt.datetime | None = None,
    ignore_booking_id: int | None = None,
) -> bool:
    """Whether this exact slot is offered right now (the booking service asks under its lock)."""
    slots = open_slots(
        supporter, viewer=viewer, lengths=[length_minutes], now=now,
        start=starts_at, end=starts_at, ignore_booking_id=ignore_booking_id,
    )
    return any(slot.starts_at == starts_at and slot.length_minutes == length_minutes for slot in slots)


class SlotChoice(NamedTuple):
    """A slot as the picker shows it: its texts made once here (per page, a template filter per
    slot and per text was most of the rendering)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    length_minutes: int
    key: str  # the form value (UTC)
    time_label: str  # the start in the viewer's zone, TIME_FORMAT
    minutes_label: str  # "50 minutes"


@dataclass(frozen=True)
class SlotDay:
    day: dt.date
    slots: list[SlotChoice]
    label: str = ""  # "Friday 27 November 2026"
    short_label: str = ""  # "Friday 27 November"


def slots_by_day(slots: Iterable[Slot], zone: dt.tzinfo) -> list[SlotDay]:
    """Slots grouped by the viewer's local date, in order, with the picker's texts in the active
    language (the same formats the template filters used: TIME_FORMAT, "l j F Y", "l j F")."""
    from django.utils.formats import date_format, time_format
    from django.utils.translation import gettext

    days: dict[dt.date, list[SlotChoice]] = {}
    minutes: dict[int, str] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        if slot.length_minutes not in minutes:
            minutes[slot.length_minutes] = gettext("%(minutes)s minutes") % {"minutes": slot.length_minutes}
        days.setdefault(local.date(), []).append(SlotChoice(
            slot.starts_at, slot.ends_at, slot.length_minutes, slot.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"),
            time_format(local, "TIME_FORMAT"), minutes[slot.length_minutes],
        ))
    return [
        SlotDay(day, day_slots, date_format(day, "l j F Y"), date_format(day, "l j F"))
        for day, day_slots in sorted(days.items())
    ]


# --- supporters ----------------------------------------------------------------------------------
def supporter_profile_of(user: Any) -> SupporterProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return SupporterProfile.objects.filter(user=user).first()


def current_agreement() -> SupporterAgreement | None:
    return SupporterAgreement.objects.order_by("-version").first()


def supporters_for_staff(*, status: str = "") -> QuerySet[SupporterProfile]:
    supporters = SupporterProfile.objects.select_related("user__profile").order_by("status", "created_at", "pk")
    if status:
        supporters = supporters.filter(status=status)
    return supporters


def availability_of(supporter: SupporterProfile) -> dict[str, Any]:
    today = timezone.now().astimezone(supporter.zone).date()
    return {
        "windows": list(AvailabilityWindow.objects.filter(supporter=supporter).order_by("weekday", "start_time")),
        "overrides": list(DateOverride.objects.filter(supporter=supporter, date__gte=today).order_by("date")),
        "blackouts": list(
            Blackout.objects.filter(supporter=supporter, ends_at__gt=timezone.now()).order_by("starts_at")
        ),
    }


# --- bookings ------------------------------------------------------------------------------------
def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("seeker__profile", "supporter__user__profile")


def sessions_of(user: Any, *, now: dt.datetime | None = None) -> tuple[list[Booking], list[Booking]]:
    """(upcoming, past) sessions of a member, as seeker or as supporter; one query."""
    now = now or timezone.now()
    mine = _bookings().filter(Q(seeker=user) | Q(supporter__user=user)).exclude(status=BookingStatus.DECLINED)
    upcoming: list[Booking] = []
    past: list[Booking] = []
    for booking in mine.order_by("starts_at", "pk")[:500]:
        if booking.ends_at >= now and booking.status in ACTIVE_BOOKING_STATUSES:
            upcoming.append(booking)
        else:
            past.append(booking)
    past.reverse()
    return upcoming, past[:100]


def upcoming_sessions_of(user: Any, *, limit: int = 5) -> list[Booking]:
    return list(
        _bookings()
        .filter(Q(seeker=user) | Q(supporter__user=user), status__in=ACTIVE_BOOKING_STATUSES, ends_at__gte=timezone.now())
        .order_by("starts_at", "pk")[:limit]
    )


def supporter_requests(supporter: SupporterProfile) -> dict[str, list[Booking]]:
    """The supporter's own page: requests awaiting a decision, upcoming confirmed sessions, and
    past sessions awaiting an outcome. One query."""
    now = timezone.now()
    result: dict[str, list[Booking]] = {"requests": [], "upcoming": [], "awaiting_outcome": []}
    for booking in (
        _bookings()
        .filter(supporter=supporter, status__in=ACTIVE_BOOKING_STATUSES, starts_at__gte=now - dt.timedelta(days=30))
        .order_by("starts_at", "pk")[:300]
    ):
        if booking.status == BookingStatus.REQUESTED and booking.starts_at > now:
            result["requests"].append(booking)
        elif booking.status == BookingStatus.CONFIRMED and booking.starts_at > now:
            result["upcoming"].append(booking)
        elif booking.status == BookingStatus.CONFIRMED:
            result["awaiting_outcome"].append(booking)
    return result


def booking_with_parties(pk: int) -> Booking | None:
    return _bookings().filter(pk=pk).first()


def feed_bookings(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """The calendar feed's sessions: the last 30 days and everything ahead, both sides."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(Q(seeker=user) | Q(supporter__user=user), starts_at__gte=now - dt.timedelta(days=30))
        .exclude(status=BookingStatus.DECLINED)
        .order_by("starts_at", "pk")
        .only("pk", "starts_at", "ends_at", "status", "updated_at", "created_at")[:1000]
    )


def active_feed_token(user: Any) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()


def seeker_bookings_busy(user_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> dict[int, list[Interval]]:
    """A supporter's own T4T sessions as a seeker are commitments too (the busy source this app
    registers for itself; the slot and ranking queries read the same rows in their UNION ALL)."""
    found: dict[int, list[Interval]] = {}
    for seeker_id, starts_at, ends_at in Booking.objects.filter(
        seeker_id__in=list(user_ids), status__in=ACTIVE_BOOKING_STATUSES, starts_at__lt=end, ends_at__gt=start
    ).values_list("seeker_id", "starts_at", "ends_at"):
        found.setdefault(seeker_id, []).append((starts_at, ends_at))
    return found


def booking_room_spec(ref: str) -> Any:
    """The video room of a confirmed session (the live app decides entry from this): a neutral
    title, the two participants, the supporter as host."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from peerhaven.live.rooms import RoomSpec

    if not ref.isdigit():
        return None
    booking = Booking.objects.select_related("supporter").filter(pk=int(ref), status=BookingStatus.CONFIRMED).first()
    if booking is None:
        return None
    return RoomSpec(
        kind="support.booking",
        ref=str(booking.pk),
        title=gettext_lazy("Peerhaven session"),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        participant_ids=frozenset({booking.seeker_id, booking.supporter.user_id}),
        host_ids=frozenset({booking.supporter.user_id}),
        back_url=reverse("support:session", kwargs={"pk": booking.pk}),
    )
