"""Reads for matching: supporter search with filters, "suggested for you" with explainable fit
labels, availability in the next hours for many supporters at once, the member's own exclusion
lists, buddies and the staff's feedback aggregates.

Every list starts from `offered_supporters`, which keeps out, in SQL: supporters not approved or
paused, the viewer themselves, every conflict of interest (policies.matching), and supporters
at capacity in their current week or month (counted in their own time zone, as the booking
concern counts load). Query counts do not depend on the number of supporters.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from peerhaven.support.models import (
    ACTIVE_BOOKING_STATUSES,
    AvailabilityWindow,
    Booking,
    Buddy,
    CalendarImport,
    DateOverride,
    DeclaredRelationship,
    MatchingPreference,
    NeverMatch,
    SessionFeedback,
    Specialty,
    SupporterProfile,
    SupporterStatus,
)
from peerhaven.support.models.booking import parse_override_windows
from peerhaven.support.policies.matching import exclusions_for
from peerhaven.support.selectors.booking import (
    LOAD_STATUSES,
    SLOT_STEP,
    Load,
    Rules,
    Seconds,
    _load_keys,
    booking_window,
    busy_rows_sql,
    busy_sources,
    open_starts,
    seeker_bookings_busy,
)

PER_PAGE = 20
SOON = dt.timedelta(hours=48)
SUGGESTIONS = 6
# Suggestions: scored in Python over the prefiltered set, then availability is computed for the
# best few only (the expensive part), which decides the final order.
AVAILABILITY_CANDIDATES = 12
# Suggestions count the load of this many supporters, the best by fit (see _Ranking.best).
FIT_POOL = 300


# --- the offered set -----------------------------------------------------------------------------
def _period_bounds(zone_name: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
    """(week start, week end, month start, month end) of `now` in the zone, as UTC instants."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone).date()
    week_start = local - dt.timedelta(days=local.weekday())
    month_start = local.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)

    def instant(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    return instant(week_start), instant(week_start + dt.timedelta(days=7)), instant(month_start), instant(next_month)


@dataclass(frozen=True)
class SupporterLoad:
    week: int
    month: int
    max_per_week: int
    max_per_month: int

    @property
    def at_capacity(self) -> bool:
        return self.week >= self.max_per_week or self.month >= self.max_per_month

    @property
    def share(self) -> float:
        """How full the supporter is this week or month, whichever is fuller (0 to 1)."""
        return min(1.0, max(self.week / max(self.max_per_week, 1), self.month / max(self.max_per_month, 1)))


def _by_zone(bounds: dict[str, tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]], position: int) -> Case:
    whens = [When(supporter__time_zone=name, then=Value(values[position])) for name, values in bounds.items()]
    fallback = bounds.get("UTC") or _period_bounds("UTC", next(iter(bounds.values()))[0])
    return Case(*whens, default=Value(fallback[position]), output_field=DateTimeField())


ZONES_CACHE_KEY = "support:matching:zones-in-use"


def _zones_in_use(*, cached: bool = False) -> list[str]:
    """The time zones of approved supporters: one query. `cached` (for ranking only) keeps the
    answer a minute: a zone missing for that minute only costs its supporters the time-zone
    points in suggestions. Capacity never uses the cached list."""
    from django.core.cache import cache

    def load() -> list[str]:
        return sorted(set(
            SupporterProfile.objects.filter(status=SupporterStatus.APPROVED).order_by().values_list("time_zone", flat=True).distinct()
        ))

    if not cached:
        return load()
    zones = cache.get_or_set(ZONES_CACHE_KEY, load, 60)
    return list(zones) if zones is not None else load()


def current_loads(*, now: dt.datetime | None = None, zones: list[str] | None = None) -> dict[int, SupporterLoad]:
    """supporter pk -> sessions in their current week and month (in their own time zone, as the
    booking concern counts load), for approved supporters with any session in that period.
    Two queries: the time zones in use, then one GROUP BY over the period's bookings — the work
    grows with the bookings of one month, not with the number of supporters."""
    now = now or timezone.now()
    zones = (zones if zones is not None else _zones_in_use()) or ["UTC"]
    bounds = {name: _period_bounds(name, now) for name in zones}
    earliest = min(min(values[0], values[2]) for values in bounds.values())
    latest = max(max(values[1], values[3]) for values in bounds.values())
    week_start, week_end, month_start, month_end = (_by_zone(bounds, position) for position in range(4))
    rows = (
        Booking.objects.filter(
            status__in=LOAD_STATUSES, starts_at__gte=earliest, starts_at__lt=latest,
            supporter__status=SupporterStatus.APPROVED,
        )
        .order_by()
        .values("supporter_id", "supporter__max_per_week", "supporter__max_per_month")
        .annotate(
            week=Count("pk", filter=Q(starts_at__gte=week_start, starts_at__lt=week_end)),
            month=Count("pk", filter=Q(starts_at__gte=month_start, starts_at__lt=month_end)),
        )
    )
    return {
        row["supporter_id"]: SupporterLoad(row["week"], row["month"], row["supporter__max_per_week"], row["supporter__max_per_month"])
        for row in rows
    }


def loads_of(supporter_ids: Sequence[int], *, now: dt.datetime | None = None) -> dict[int, SupporterLoad]:
    """The current week's and month's load of these supporters (in their own time zones), for
    those with any session then. One query over their bookings of about two months."""
    now = now or timezone.now()
    if not supporter_ids:
        return {}
    counts: dict[int, list[int]] = {}
    limits: dict[int, tuple[int, int]] = {}
    zones: dict[str, tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]] = {}
    for supporter_id, starts_at, zone_name, max_week, max_month in Booking.objects.filter(
        supporter_id__in=list(supporter_ids), status__in=LOAD_STATUSES,
        starts_at__gte=now - dt.timedelta(days=32), starts_at__lt=now + dt.timedelta(days=32),
    ).order_by().values_list("supporter_id", "starts_at", "supporter__time_zone", "supporter__max_per_week", "supporter__max_per_month"):
        if zone_name not in zones:
            zones[zone_name] = _period_bounds(zone_name, now)
        week_start, week_end, month_start, month_end = zones[zone_name]
        tally = counts.setdefault(supporter_id, [0, 0])
        limits[supporter_id] = (max_week, max_month)
        tally[0] += week_start <= starts_at < week_end
        tally[1] += month_start <= starts_at < month_end
    return {pk: SupporterLoad(week, month, *limits[pk]) for pk, (week, month) in counts.items()}


def _offered_base(seeker: Any) -> QuerySet[SupporterProfile]:
    """Approved, not paused, not the seeker, no conflict of interest either way (capacity aside)."""
    offered = SupporterProfile.objects.filter(status=SupporterStatus.APPROVED, paused_at__isnull=True)
    return offered.exclude(exclusions_for(seeker).q("user"))


def offered_supporters(
    seeker: Any, *, now: dt.datetime | None = None, loads: dict[int, SupporterLoad] | None = None
) -> QuerySet[SupporterProfile]:
    """Approved, not paused, not the seeker, no conflict of interest either way, and with room
    in this week's and this month's load (see current_loads)."""
    if loads is None:
        loads = current_loads(now=now)
    full = [pk for pk, load in loads.items() if load.at_capacity]
    offered = _offered_base(seeker)
    return offered.exclude(pk__in=full) if full else offered


def _as_text(name: str) -> str:
    return f"{name}_as_text"


def _with_list_text(queryset: QuerySet[SupporterProfile], *names: str) -> QuerySet[SupporterProfile]:
    """On SQLite, alias each JSON list's text for `_list_has` (PostgreSQL needs nothing)."""
    if connection.vendor == "postgresql":
        return queryset
    return queryset.alias(**{_as_text(name): Cast(name, TextField()) for name in names})


def _list_has(name: str, value: str | int) -> Q:
    """Rows whose JSON list `name` holds `value`. PostgreSQL has containment (jsonb @>); SQLite
    has no JSON `contains`, so there the list's JSON text (aliased by _with_list_text) is
    searched for the encoded element (codes cannot contain quotes, and the allowed session
    lengths are not substrings of each other)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{name}__contains": [value]})
    return Q(**{f"{_as_text(name)}__contains": json.dumps(value)})


def _json_list_has(queryset: QuerySet[SupporterProfile], name: str, value: str | int) -> QuerySet[SupporterProfile]:
    return _with_list_text(queryset, name).filter(_list_has(name, value))


# --- availability for many supporters at once ---------------------------------------------------
def available_soon(
    supporters: Sequence[SupporterProfile], *, viewer: Any = None, now: dt.datetime | None = None,
    within: dt.timedelta = SOON, lengths: Sequence[int] | None = None,
) -> dict[int, dt.datetime]:
    """supporter pk -> the first open slot starting within `within`, for every supporter given
    that has one. The booking concern's slot engine (generate_slots, Load) run over rules and
    busy times fetched for all of them together: a fixed number of queries (plus one per
    supporter for busy sources other apps register, which the booking concern asks to keep
    constant, called only for supporters that have a window in the period)."""
    now = now or timezone.now()
    if not supporters:
        return {}
    by_pk = {supporter.pk: supporter for supporter in supporters if supporter.status == SupporterStatus.APPROVED}
    periods: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for supporter in by_pk.values():
        earliest, latest = booking_window(supporter, now)
        latest = min(latest, now + within)
        if latest >= earliest:
            periods[supporter.pk] = (earliest, latest)
    if not periods:
        return {}
    pks = list(periods)
    span_start = min(period[0] for period in periods.values()) - dt.timedelta(days=2)
    span_end = max(period[1] for period in periods.values()) + dt.timedelta(days=2)

    weekly: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {pk: {} for pk in pks}
    for supporter_id, weekday, start_time, end_time in (
        AvailabilityWindow.objects.filter(supporter_id__in=pks)
        .order_by("supporter_id", "weekday", "start_time")
        .values_list("supporter_id", "weekday", "start_time", "end_time")
    ):
        weekly[supporter_id].setdefault(weekday, []).append((start_time, end_time))
    overrides: dict[int, dict[dt.date, list[tuple[dt.time, dt.time]]]] = {pk: {} for pk in pks}
    for supporter_id, date, closed, windows in DateOverride.objects.filter(
        supporter_id__in=pks, date__gte=span_start.date() - dt.timedelta(days=1), date__lte=span_end.date() + dt.timedelta(days=1)
    ).order_by().values_list("supporter_id", "date", "closed", "windows"):
        overrides[supporter_id][date] = parse_override_windows(closed, windows)

    # Only supporters with some window or override left need their busy times.
    pks = [pk for pk in pks if weekly[pk] or any(overrides[pk].values())]
    if not pks:
        return {}
    busy: dict[int, list[Seconds]] = {pk: [] for pk in pks}
    buffers = {pk: by_pk[pk].buffer_minutes * 60 for pk in pks}
    week_counts: dict[int, dict[tuple[int, int], int]] = {pk: {} for pk in pks}
    month_counts: dict[int, dict[tuple[int, int], int]] = {pk: {} for pk in pks}
    # Bookings (with the load of their weeks and months), other members' holds, blackouts,
    # imported busy times and (when the booking concern's own busy source is registered) the
    # supporters' sessions as seekers: one UNION ALL query, times as POSIX seconds.
    user_to_pk = {by_pk[pk].user_id: pk for pk in pks}
    sources = busy_sources()
    sql, params = busy_rows_sql(
        pks, start=span_start, end=span_end, now=now, load_from=span_start - dt.timedelta(days=40),
        load_until=span_end + dt.timedelta(days=40), viewer_id=getattr(viewer, "pk", None) if viewer is not None else None,
        seeker_user_ids=list(user_to_pk) if seeker_bookings_busy in sources else [],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    first, last = span_start.timestamp(), span_end.timestamp()
    for owner, opens, closes, minutes, kind in rows:
        pk = user_to_pk[owner] if kind == "seeker" else owner
        if kind == "blackout":
            busy[pk].append((opens, closes))
        elif kind in ("hold", "external", "seeker"):
            busy[pk].append((opens - buffers[pk], closes + buffers[pk]))
        else:
            week, month = _load_keys(dt.datetime.fromtimestamp(opens, dt.UTC), by_pk[pk].zone)
            week_counts[pk][week] = week_counts[pk].get(week, 0) + 1
            month_counts[pk][month] = month_counts[pk].get(month, 0) + 1
            if kind in ACTIVE_BOOKING_STATUSES and opens < last and closes > first:
                # closes is blocked_until here (end plus the buffer at booking time).
                busy[pk].append((opens - buffers[pk], max(closes, opens + minutes * 60 + buffers[pk])))
    for source in sources:
        if source is seeker_bookings_busy:
            continue  # batched above
        for user_id, intervals in source(list(user_to_pk), span_start, span_end).items():
            pk = user_to_pk.get(user_id)
            if pk is None:
                continue
            for starts_at, ends_at in intervals:
                busy[pk].append((starts_at.timestamp() - buffers[pk], ends_at.timestamp() + buffers[pk]))

    found: dict[int, dt.datetime] = {}
    step = SLOT_STEP.total_seconds()
    for pk in pks:
        supporter = by_pk[pk]
        wanted = [length for length in (lengths or supporter.session_lengths) if length in supporter.session_lengths]
        if not wanted:
            continue
        rules = Rules(zone=supporter.zone, weekly=weekly[pk], overrides=overrides[pk], buffer=supporter.buffer)
        load = Load(week_counts[pk], month_counts[pk], supporter.max_per_week, supporter.max_per_month, supporter.zone)
        earliest, latest = periods[pk]
        for candidate, _length in open_starts(
            rules, lengths=wanted, first=earliest.timestamp(), last=latest.timestamp(), busy=busy[pk], step=step
        ):
            if load.has_room_at(candidate):
                found[pk] = dt.datetime.fromtimestamp(candidate, dt.UTC)
                break
    return found


# --- search --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchFilters:
    language: str = ""
    specialty: str = ""
    jurisdiction: str = ""
    session_length: int | None = None
    available_soon: bool = False


@dataclass
class SearchPage:
    supporters: list[SupporterProfile]
    number: int
    has_previous: bool
    has_next: bool
    total: int
    first_slots: dict[int, dt.datetime] = field(default_factory=dict)


def supporters_search(
    seeker: Any, filters: SearchFilters, *, page: int = 1, per_page: int = PER_PAGE, now: dt.datetime | None = None
) -> SearchPage:
    """One page of offered supporters matching the filters. With "available
    in the next 48 hours" the availability of every match is computed (batched) before paging."""
    now = now or timezone.now()
    supporters = offered_supporters(seeker, now=now)
    if filters.language:
        supporters = _json_list_has(supporters, "languages", filters.language)
    if filters.specialty:
        supporters = _json_list_has(supporters, "specialties", filters.specialty)
    if filters.jurisdiction:
        supporters = _json_list_has(supporters, "jurisdictions", filters.jurisdiction)
    if filters.session_length:
        supporters = _json_list_has(supporters, "session_lengths", filters.session_length)
    supporters = supporters.order_by("pk")
    page = max(1, page)
    lengths = [filters.session_length] if filters.session_length else None
    if filters.available_soon:
        everyone = list(supporters)
        first_slots = available_soon(everyone, viewer=seeker, now=now, lengths=lengths)
        matching = [supporter for supporter in everyone if supporter.pk in first_slots]
        total = len(matching)
        chosen = matching[(page - 1) * per_page: page * per_page]
        _attach_people(chosen)
    else:
        total = supporters.count()
        chosen = list(supporters.select_related("user__profile")[(page - 1) * per_page: page * per_page])
        first_slots = available_soon(chosen, viewer=seeker, now=now, lengths=lengths)
    return SearchPage(
        supporters=chosen, number=page, has_previous=page > 1, has_next=page * per_page < total, total=total,
        first_slots=first_slots,
    )


def _attach_people(supporters: list[SupporterProfile]) -> None:
    """Load users and profiles for supporters fetched without them: one query."""
    from peerhaven.accounts.models import User

    users = User.objects.select_related("profile").in_bulk([supporter.user_id for supporter in supporters])
    for supporter in supporters:
        supporter.user = users[supporter.user_id]


@dataclass(frozen=True)
class FilterOptions:
    languages: list[tuple[str, str]]
    specialties: list[tuple[str, str]]
    jurisdictions: list[str]
    session_lengths: list[int]


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def filter_options(seeker: Any) -> FilterOptions:
    """The filter choices: what approved supporters offer. One query."""
    languages: set[str] = set()
    jurisdictions: set[str] = set()
    lengths: set[int] = set()
    for supporter_languages, supporter_jurisdictions, supporter_lengths in SupporterProfile.objects.filter(
        status=SupporterStatus.APPROVED
    ).values_list("languages", "jurisdictions", "session_lengths"):
        languages.update(supporter_languages or [])
        jurisdictions.update(supporter_jurisdictions or [])
        lengths.update(length for length in supporter_lengths or [] if isinstance(length, int))
    return FilterOptions(
        languages=sorted(((code, language_name(code)) for code in languages), key=lambda item: item[1]),
        specialties=[(str(value), str(label)) for value, label in Specialty.choices],
        jurisdictions=sorted(jurisdictions),
        session_lengths=sorted(lengths),
    )


# --- suggestions ---------------------------------------------------------------------------------
@dataclass
class Suggestion:
    supporter: SupporterProfile
    score: float
    labels: list[str]
    first_slot: dt.datetime | None = None


def _member_languages(seeker: Any, preference: MatchingPreference | None) -> list[str]:
    """The codes the member would like to speak: their preference, else the languages on their
    profile (free text: matched by name), else the site language they use."""
    if preference is not None and preference.languages:
        return list(preference.languages)
    from django.conf import settings
    from django.conf.locale import LANG_INFO

    profile = getattr(seeker, "profile", None)
    by_name = {str(info.get("name", "")).casefold(): code for code, info in LANG_INFO.items() if "name" in info}
    codes = [by_name[name.casefold()] for name in (getattr(profile, "languages", None) or []) if isinstance(name, str) and name.casefold() in by_name]
    if codes:
        return codes
    site = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    return [site.split("-")[0]]


def _utc_offset_hours(zone_name: str, now: dt.datetime, cache: dict[str, float]) -> float:
    if zone_name not in cache:
        try:
            offset = now.astimezone(zoneinfo.ZoneInfo(zone_name)).utcoffset()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            offset = None
        cache[zone_name] = (offset or dt.timedelta(0)).total_seconds() / 3600
    return cache[zone_name]


def _zone_gap(a: float, b: float) -> float:
    gap = abs(a - b) % 24
    return min(gap, 24 - gap)


def _availability_label(first: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str:
    days = (first.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days <= 0:
        return _("available today")
    if days == 1:
        return _("available tomorrow")
    return _("available in the next days")


class _Ranking:
    """"Suggested for you" in one query, written out (the ORM spent longer building the score
    expression than the database spent running it). Over the offered set (approved, not paused,
    no conflict of interest: the same queryset search uses, compiled as a subquery):
      - the fit: 4 points for a shared language, 3 shared between the member's topics, half a
        point for their session length, up to 1.5 for a close time zone (a small table of the
        zones in use, joined on the supporter's zone, with each zone's points and the bounds of
        its current week and month);
      - the load: sessions in the supporter's own current week and month, counted over the
        bookings of those periods through the same table; at capacity is left out, and a lighter
        load adds up to one point.
    A supporter whose zone is missing from the table (a zone first used within the last minute:
    the list is cached) gets no zone points and has their load checked here, exactly."""

    def __init__(self, seeker: Any, *, now: dt.datetime, languages: set[str], needs: set[str], length: int | None,
                 seeker_offset: float, offsets: dict[str, float]) -> None:
        self.seeker, self.now = seeker, now
        self.languages, self.needs, self.length = sorted(languages), sorted(needs), length
        zones = sorted(set(_zones_in_use(cached=True)) | {"UTC"})
        self.zones = [
            (name, 1.5 * max(0.0, 1.0 - _zone_gap(seeker_offset, _utc_offset_hours(name, now, offsets)) / 8.0),
             *_period_bounds(name, now))
            for name in zones
        ]

    def best(self, count: int, *, only_shared_language: bool) -> list[tuple[float, int]]:
        """(score, supporter pk) of the `count` best offered supporters with room, best first.

        The load only ever adds up to one point, so the loads are counted for the FIT_POOL
        best by fit alone; the answer is exact when the last supporter kept scores more than
        one point above the worst fit of that pool (nobody outside it can then catch up).
        Otherwise, or when the pool was short, it is asked again over everyone."""
        rows: list[tuple[float, int]] = []
        for pool in (FIT_POOL, None):
            fetched, pool_size, pool_floor = self._query(count + 4, pool, only_shared_language=only_shared_language)
            rows = self._check_unknown_zones(fetched)[:count]
            if pool is None or 0 <= pool_size < pool or (len(rows) == count and rows[-1][0] > pool_floor + 1.0):
                break
        return rows

    def _check_unknown_zones(self, rows: list[tuple[float, int, bool]]) -> list[tuple[float, int]]:
        unknown = [pk for _score, pk, is_unknown in rows if is_unknown]
        loads = loads_of(unknown, now=self.now) if unknown else {}
        result = []
        for score, pk, is_unknown in rows:
            load = loads.get(pk) if is_unknown else None
            if load is not None:
                if load.at_capacity:
                    continue
                score -= load.share
            result.append((score, pk))
        result.sort(key=lambda row: (-row[0], row[1]))
        return result

    def _query(
        self, count: int, pool: int | None, *, only_shared_language: bool
    ) -> tuple[list[tuple[float, int, bool]], int, float]:
        """(rows of (score, pk, zone unknown), the pool's size, the pool's lowest fit)."""
        ops = connection.ops
        quote = ops.quote_name
        booking = {name: quote(getattr(Booking._meta.get_field(name), "column", name)) for name in ("supporter", "starts_at", "status")}
        base_sql, base_params = (
            _offered_base(self.seeker).order_by()
            .values("id", "languages", "specialties", "session_lengths", "time_zone", "max_per_week", "max_per_month")
            .query.sql_with_params()
        )
        params: list[Any] = []
        zone_rows = []
        for name, points, *bounds in self.zones:
            zone_rows.append("(%s, %s, %s, %s, %s, %s)")
            params += [name, points, *(ops.adapt_datetimefield_value(moment) for moment in bounds)]
        earliest = min(min(zone[2], zone[4]) for zone in self.zones)
        latest = max(max(zone[3], zone[5]) for zone in self.zones)
        fit_terms = ["COALESCE(z.points, 0.0)"]
        if self.languages:
            language_sql, language_params = _any_of_sql("o.languages", self.languages)
            fit_terms.append(f"CASE WHEN {language_sql} THEN %s ELSE 0.0 END")
            params += [*language_params, 4.0]
        for need in self.needs:
            need_sql, need_params = _any_of_sql("o.specialties", [need])
            fit_terms.append(f"CASE WHEN {need_sql} THEN %s ELSE 0.0 END")
            params += [*need_params, 3.0 / len(self.needs)]
        if self.length:
            length_sql, length_params = _any_of_sql("o.session_lengths", [self.length])
            fit_terms.append(f"CASE WHEN {length_sql} THEN %s ELSE 0.0 END")
            params += [*length_params, 0.5]
        params += base_params
        where = "1 = 1"
        if only_shared_language and self.languages:
            where, where_params = _any_of_sql("o.languages", self.languages)
            params += where_params
        limit = ""
        if pool is not None:
            limit = " ORDER BY fit DESC, id LIMIT %s"
            params.append(pool)
        statuses = [str(status) for status in LOAD_STATUSES]
        params += [*statuses, ops.adapt_datetimefield_value(earliest), ops.adapt_datetimefield_value(latest), count]
        starts_at = f"b.{booking['starts_at']}"
        sql = (
            f"WITH zones (name, points, week_start, week_end, month_start, month_end) AS (VALUES {', '.join(zone_rows)}), "  # noqa: S608 - quoted identifiers and placeholders only
            # The offered supporters with their fit and their zone's periods (the best `pool`).
            f"fitted AS (SELECT o.id AS id, o.max_per_week AS max_per_week, o.max_per_month AS max_per_month, "
            f"{' + '.join(fit_terms)} AS fit, z.name AS zone_name, z.week_start AS week_start, z.week_end AS week_end, "
            f"z.month_start AS month_start, z.month_end AS month_end FROM ({base_sql}) o "
            f"LEFT JOIN zones z ON z.name = o.time_zone WHERE {where}{limit}), "
            # Their sessions in their current week and month.
            f"loads (supporter_id, week, month) AS (SELECT f.id, "
            f"SUM(CASE WHEN {starts_at} >= f.week_start AND {starts_at} < f.week_end THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {starts_at} >= f.month_start AND {starts_at} < f.month_end THEN 1 ELSE 0 END) "
            f"FROM {quote(Booking._meta.db_table)} b INNER JOIN fitted f ON f.id = b.{booking['supporter']} "
            f"WHERE b.{booking['status']} IN ({', '.join(['%s'] * len(statuses))}) "
            f"AND {starts_at} >= %s AND {starts_at} < %s GROUP BY f.id) "
            # Those with room, a lighter load adding up to one point.
            "SELECT id, fit + 1.0 - (CASE WHEN week_share >= month_share THEN (CASE WHEN week_share > 1.0 THEN 1.0 "
            "ELSE week_share END) ELSE (CASE WHEN month_share > 1.0 THEN 1.0 ELSE month_share END) END) AS score, "
            "unknown_zone, (SELECT COUNT(*) FROM fitted) AS pool_size, (SELECT MIN(fit) FROM fitted) AS pool_floor FROM ("
            "SELECT f.id AS id, f.fit AS fit, "
            "COALESCE(l.week, 0) * 1.0 / (CASE WHEN f.max_per_week < 1 THEN 1 ELSE f.max_per_week END) AS week_share, "
            "COALESCE(l.month, 0) * 1.0 / (CASE WHEN f.max_per_month < 1 THEN 1 ELSE f.max_per_month END) AS month_share, "
            "CASE WHEN f.zone_name IS NULL THEN 1 ELSE 0 END AS unknown_zone "
            "FROM fitted f LEFT JOIN loads l ON l.supporter_id = f.id WHERE f.zone_name IS NULL "
            "OR (COALESCE(l.week, 0) < f.max_per_week AND COALESCE(l.month, 0) < f.max_per_month)) ranked "
            "ORDER BY score DESC, id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        rows = [(float(score), pk, bool(unknown)) for pk, score, unknown, _size, _floor in fetched]
        pool_size = int(fetched[0][3]) if fetched else -1  # unknown: nobody with room in the pool
        pool_floor = float(fetched[0][4]) if fetched and fetched[0][4] is not None else 0.0
        return rows, pool_size, pool_floor


def _any_of_sql(column: str, values: Sequence[str | int]) -> tuple[str, list[Any]]:
    """SQL true when the JSON list in `column` holds any of `values` (the raw-SQL twin of
    _list_has: jsonb containment on PostgreSQL, the list's JSON text elsewhere)."""
    if connection.vendor == "postgresql":
        return "(" + " OR ".join([f"{column} @> %s::jsonb"] * len(values)) + ")", [json.dumps([value]) for value in values]
    patterns = []
    for value in values:
        encoded = json.dumps(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns.append(f"%{encoded}%")
    return "(" + " OR ".join([f"CAST({column} AS TEXT) LIKE %s ESCAPE '\\'"] * len(values)) + ")", patterns


def suggestions_for(
    seeker: Any, *, limit: int = SUGGESTIONS, now: dt.datetime | None = None, viewer_zone: dt.tzinfo | None = None
) -> list[Suggestion]:
    """"Suggested for you": offered supporters ranked on fit — shared language, topics the member
    would like to talk about, time-zone overlap, a slot soon, and a lighter load. Never an
    excluded pair, never a supporter at capacity. Labels explain the fit ("speaks Spanish",
    "available tomorrow"); nothing says why anyone is left out.

    One query (see _Ranking) filters the offered set, drops those at capacity and scores the
    rest (fit and load) in the database, returning the best AVAILABILITY_CANDIDATES; their
    availability is then computed (batched) and decides the final order among them."""
    now = now or timezone.now()
    preference = MatchingPreference.objects.filter(member_id=seeker.pk).first()
    wanted_languages = set(_member_languages(seeker, preference))
    needs = set(preference.needs) if preference else set()
    wanted_length = preference.session_length if preference else None
    profile = getattr(seeker, "profile", None)
    seeker_zone_name = getattr(profile, "time_zone", "") or "UTC"
    offsets: dict[str, float] = {}
    seeker_offset = _utc_offset_hours(seeker_zone_name, now, offsets)

    ranking = _Ranking(seeker, now=now, languages=wanted_languages, needs=needs, length=wanted_length,
                       seeker_offset=seeker_offset, offsets=offsets)
    # Someone who shares a language comes first (and the database scores far fewer rows); the
    # others are read only when too few do.
    wanted = max(AVAILABILITY_CANDIDATES, limit)
    scored = ranking.best(wanted, only_shared_language=bool(wanted_languages))
    if wanted_languages and len(scored) < limit:
        scored = ranking.best(wanted, only_shared_language=False)
    scored = scored[:AVAILABILITY_CANDIDATES]
    top = [pk for _score, pk in scored]
    base_scores = {pk: score for score, pk in scored}
    # The employer is private and encrypted: never shown, so not read (nor decrypted).
    candidates = list(
        SupporterProfile.objects.filter(pk__in=top).select_related("user__profile").defer("user__profile__employer")
    )
    first_slots = available_soon(candidates, viewer=seeker, now=now, lengths=[wanted_length] if wanted_length else None)
    week_ahead = now + dt.timedelta(hours=24)
    zone = viewer_zone or _zone_or_utc(seeker_zone_name)
    suggestions = []
    for supporter in candidates:
        score = base_scores[supporter.pk]
        first = first_slots.get(supporter.pk)
        if first is not None:
            score += 2.0 if first <= week_ahead else 1.0
        suggestions.append(Suggestion(supporter, score, _fit_labels(supporter, wanted_languages, needs, wanted_length, seeker_offset, now, first, zone, offsets), first))
    suggestions.sort(key=lambda item: (-item.score, item.supporter.pk))
    return suggestions[:limit]


def _zone_or_utc(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _fit_labels(
    supporter: SupporterProfile, languages: set[str], needs: set[str], length: int | None, seeker_offset: float,
    now: dt.datetime, first: dt.datetime | None, zone: dt.tzinfo, offsets: dict[str, float],
) -> list[str]:
    labels = []
    shared = [code for code in supporter.languages if code in languages]
    if shared:
        labels.append(_("speaks %(language)s") % {"language": language_name(shared[0])})
    specialty_labels = dict(Specialty.choices)
    for need in sorted(needs.intersection(supporter.specialties)):
        labels.append(_("talks about: %(topic)s") % {"topic": specialty_labels[need]})
    if _zone_gap(seeker_offset, _utc_offset_hours(supporter.time_zone, now, offsets)) <= 2:
        labels.append(_("a time zone close to yours"))
    if length and length in supporter.session_lengths:
        labels.append(_("offers %(minutes)d-minute sessions") % {"minutes": length})
    if first is not None:
        labels.append(_availability_label(first, now, zone))
    return labels


# --- the member's own data -----------------------------------------------------------------------
def my_declared_relationships(member: Any) -> QuerySet[DeclaredRelationship]:
    return DeclaredRelationship.objects.filter(member=member).order_by("created_at", "pk")


def my_never_match(member: Any) -> QuerySet[NeverMatch]:
    return NeverMatch.objects.filter(member=member).order_by("created_at", "pk")


def my_preference(member: Any) -> MatchingPreference | None:
    return MatchingPreference.objects.filter(member=member).first()


@dataclass(frozen=True)
class BuddyView:
    my_buddy: Buddy | None
    named_me: list[Buddy]


def buddy_view(supporter: SupporterProfile) -> BuddyView:
    """Who the supporter named, and who named them: visible to the two of each pair only."""
    links = list(
        Buddy.objects.filter(Q(supporter=supporter) | Q(buddy=supporter)).select_related(
            "supporter__user__profile", "buddy__user__profile"
        )
    )
    mine = next((link for link in links if link.supporter_id == supporter.pk), None)
    return BuddyView(mine, [link for link in links if link.buddy_id == supporter.pk])


def buddy_candidates(supporter: SupporterProfile) -> list[SupporterProfile]:
    """Other approved (or paused) supporters the supporter may name: no conflict of interest."""
    return list(
        SupporterProfile.objects.filter(status__in=[SupporterStatus.APPROVED, SupporterStatus.PAUSED])
        .exclude(pk=supporter.pk)
        .exclude(exclusions_for(supporter.user).q("user"))
        .select_related("user__profile")
        .order_by("pk")[:500]
    )


def calendar_import_of(supporter: SupporterProfile) -> CalendarImport | None:
    return CalendarImport.objects.filter(supporter=supporter).first()


# --- feedback aggregates -------------------------------------------------------------------------
SMALL_CELL = 5


@dataclass(frozen=True)
class FeedbackMonth:
    month: dt.date
    total: int | None  # None: fewer than SMALL_CELL, not shown
    helpful_ratio: float | None

    @property
    def suppressed(self) -> bool:
        return self.total is None


def feedback_aggregates(*, months: int = 12, now: dt.datetime | None = None) -> list[FeedbackMonth]:
    """Feedback per month: how many, and the share that found the session helpful. Months with
    fewer than SMALL_CELL answers show neither figure (small-cell suppression). One query;
    never a name, a booking or a comment."""
    now = now or timezone.now()
    first = (now.date().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        SessionFeedback.objects.filter(month__gte=first)
        .order_by()
        .values("month")
        .annotate(total=Count("pk"), helpful_total=Count("pk", filter=Q(helpful=True)))
        .order_by("-month")
    )
    result = []
    for row in rows:
        total = row["total"]
        if total < SMALL_CELL:
            result.append(FeedbackMonth(row["month"], None, None))
        else:
            result.append(FeedbackMonth(row["month"], total, row["helpful_total"] / total))
    return result


def feedback_comments(*, limit: int = 200) -> list[tuple[dt.date, str]]:
    """Comments for staff, newest month first, without anything that links them to a session or
    a person (month only). Two queries."""
    shown_months = {row.month for row in feedback_aggregates() if not row.suppressed}
    if not shown_months:
        return []
    # Comments of months too small to show in detail are held back too: a month and a comment
    # together could point at a session.
    rows = SessionFeedback.objects.filter(month__in=shown_months).order_by("-month", "?").values_list("month", "comment")[: limit * 4]
    return [(month, comment) for month, comment in rows if comment][:limit]


def supporters_named(pks: Iterable[int]) -> dict[int, SupporterProfile]:
    return SupporterProfile.objects.select_related("user__profile").in_bulk(list(pks))
