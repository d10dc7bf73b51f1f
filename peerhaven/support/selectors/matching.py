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
    ExpressionWrapper,
    F,
    FloatField,
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
    Blackout,
    Booking,
    Buddy,
    CalendarImport,
    DateOverride,
    DeclaredRelationship,
    ExternalBusy,
    Hold,
    MatchingPreference,
    NeverMatch,
    SessionFeedback,
    Specialty,
    SupporterProfile,
    SupporterStatus,
)
from peerhaven.support.policies.matching import exclusions_for
from peerhaven.support.selectors.booking import (
    LOAD_STATUSES,
    Interval,
    Load,
    Rules,
    Slot,
    booking_window,
    busy_sources,
    generate_slots,
    seeker_bookings_busy,
)

PER_PAGE = 20
SOON = dt.timedelta(hours=48)
SUGGESTIONS = 6
# Suggestions: scored in Python over the prefiltered set, then availability is computed for the
# best few only (the expensive part), which decides the final order.
AVAILABILITY_CANDIDATES = 12
# Ranked rows are read in batches of SCAN_BATCH (each with its load query) until enough
# supporters with room are found, at most SCAN_LIMIT rows.
SCAN_BATCH = 60
SCAN_LIMIT = 600


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
    for override in DateOverride.objects.filter(
        supporter_id__in=pks, date__gte=span_start.date() - dt.timedelta(days=1), date__lte=span_end.date() + dt.timedelta(days=1)
    ):
        overrides[override.supporter_id][override.date] = override.parsed_windows()

    # Only supporters with some window or override left need their busy times.
    pks = [pk for pk in pks if weekly[pk] or any(overrides[pk].values())]
    if not pks:
        return {}
    busy: dict[int, list[Interval]] = {pk: [] for pk in pks}
    buffers = {pk: by_pk[pk].buffer for pk in pks}
    load_from = span_start - dt.timedelta(days=40)
    load_until = span_end + dt.timedelta(days=40)
    week_counts: dict[int, dict[tuple[int, int], int]] = {pk: {} for pk in pks}
    month_counts: dict[int, dict[tuple[int, int], int]] = {pk: {} for pk in pks}
    for supporter_id, starts_at, ends_at, blocked_until, status in Booking.objects.filter(
        supporter_id__in=pks, status__in=LOAD_STATUSES, starts_at__lt=load_until, blocked_until__gt=load_from
    ).values_list("supporter_id", "starts_at", "ends_at", "blocked_until", "status"):
        local = starts_at.astimezone(by_pk[supporter_id].zone).date()
        iso = local.isocalendar()
        week_counts[supporter_id][(iso.year, iso.week)] = week_counts[supporter_id].get((iso.year, iso.week), 0) + 1
        month_counts[supporter_id][(local.year, local.month)] = month_counts[supporter_id].get((local.year, local.month), 0) + 1
        if status in ACTIVE_BOOKING_STATUSES and starts_at < span_end and blocked_until > span_start:
            buffer = buffers[supporter_id]
            busy[supporter_id].append((starts_at - buffer, max(blocked_until, ends_at + buffer)))
    # Other members' holds, blackouts, imported busy times and (when the booking concern's own
    # busy source is registered) the supporters' sessions as seekers: one UNION ALL query.
    user_to_pk = {by_pk[pk].user_id: pk for pk in pks}
    fields = ("owner", "starts_at", "ends_at", "kind")
    holds = Hold.objects.filter(supporter_id__in=pks, expires_at__gt=now, starts_at__lt=span_end, ends_at__gt=span_start)
    if viewer is not None and getattr(viewer, "pk", None):
        holds = holds.exclude(holder_id=viewer.pk)
    parts = [
        holds.order_by().annotate(owner=F("supporter_id"), kind=Value("hold")).values_list(*fields),
        Blackout.objects.filter(supporter_id__in=pks, starts_at__lt=span_end, ends_at__gt=span_start)
        .order_by().annotate(owner=F("supporter_id"), kind=Value("blackout")).values_list(*fields),
        ExternalBusy.objects.filter(supporter_id__in=pks, starts_at__lt=span_end, ends_at__gt=span_start)
        .order_by().annotate(owner=F("supporter_id"), kind=Value("external")).values_list(*fields),
    ]
    sources = busy_sources()
    if seeker_bookings_busy in sources:
        parts.append(
            Booking.objects.filter(
                seeker_id__in=list(user_to_pk), status__in=ACTIVE_BOOKING_STATUSES, starts_at__lt=span_end, ends_at__gt=span_start
            ).order_by().annotate(owner=F("seeker_id"), kind=Value("seeker")).values_list(*fields)
        )
    for owner, starts_at, ends_at, kind in parts[0].union(*parts[1:], all=True):
        pk = user_to_pk[owner] if kind == "seeker" else owner
        if kind == "blackout":
            busy[pk].append((starts_at, ends_at))
        else:
            busy[pk].append((starts_at - buffers[pk], ends_at + buffers[pk]))
    for source in sources:
        if source is seeker_bookings_busy:
            continue  # batched above
        for pk in pks:
            for starts_at, ends_at in source(by_pk[pk].user, span_start, span_end):
                busy[pk].append((starts_at - buffers[pk], ends_at + buffers[pk]))

    found: dict[int, dt.datetime] = {}
    for pk in pks:
        supporter = by_pk[pk]
        wanted = [length for length in (lengths or supporter.session_lengths) if length in supporter.session_lengths]
        if not wanted:
            continue
        rules = Rules(zone=supporter.zone, weekly=weekly[pk], overrides=overrides[pk], buffer=supporter.buffer)
        load = Load(week_counts[pk], month_counts[pk], supporter.max_per_week, supporter.max_per_month, supporter.zone)
        earliest, latest = periods[pk]
        slot: Slot
        for slot in generate_slots(rules, lengths=wanted, earliest=earliest, latest=latest, busy=busy[pk]):
            if load.has_room(slot.starts_at):
                found[pk] = slot.starts_at
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


def suggestions_for(
    seeker: Any, *, limit: int = SUGGESTIONS, now: dt.datetime | None = None, viewer_zone: dt.tzinfo | None = None
) -> list[Suggestion]:
    """"Suggested for you": offered supporters ranked on fit — shared language, topics the member
    would like to talk about, time-zone overlap, a slot soon, and a lighter load. Never an
    excluded pair, never a supporter at capacity. Labels explain the fit ("speaks Spanish",
    "available tomorrow"); nothing says why anyone is left out.

    The offered set is filtered and scored in SQL (JSON containment, a CASE per time zone);
    capacity and load are applied to the best rows in batches; availability is computed
    (batched) for the best AVAILABILITY_CANDIDATES only, and decides the final order among them."""
    now = now or timezone.now()
    preference = MatchingPreference.objects.filter(member_id=seeker.pk).first()
    wanted_languages = set(_member_languages(seeker, preference))
    needs = set(preference.needs) if preference else set()
    wanted_length = preference.session_length if preference else None
    profile = getattr(seeker, "profile", None)
    seeker_zone_name = getattr(profile, "time_zone", "") or "UTC"
    offsets: dict[str, float] = {}
    seeker_offset = _utc_offset_hours(seeker_zone_name, now, offsets)

    zone_names = _zones_in_use(cached=True)
    offered = _with_list_text(_offered_base(seeker), "languages", "specialties", "session_lengths")
    # The fit score is computed by the database over every offered supporter, and the rows come
    # back best first in small batches: each batch's load (in the supporters' own weeks and
    # months) drops those at capacity and lowers the busier ones, until enough are found.
    def points(condition: Q, weight: float) -> Case:
        return Case(When(condition, then=Value(weight)), default=Value(0.0), output_field=FloatField())

    terms: list[Any] = [Value(0.0, output_field=FloatField())]
    any_language = Q()
    for code in sorted(wanted_languages):
        any_language |= _list_has("languages", code)
    if wanted_languages:
        terms.append(points(any_language, 4.0))
    for need in sorted(needs):
        terms.append(points(_list_has("specialties", need), 3.0 / len(needs)))
    if wanted_length:
        terms.append(points(_list_has("session_lengths", wanted_length), 0.5))
    zone_whens = [
        When(time_zone=name, then=Value(1.5 * max(0.0, 1.0 - _zone_gap(seeker_offset, _utc_offset_hours(name, now, offsets)) / 8.0)))
        for name in zone_names
    ]
    if zone_whens:
        terms.append(Case(*zone_whens, default=Value(0.0), output_field=FloatField()))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    ranked = offered.annotate(fit=ExpressionWrapper(total, output_field=FloatField())).order_by("-fit", "pk").values_list("pk", "fit")
    scored: list[tuple[float, int]] = []
    seen: set[int] = set()
    # Someone who shares a language comes first (and the database scores far fewer rows); the
    # others are read only when too few do.
    passes = [ranked.filter(any_language), ranked] if wanted_languages else [ranked]
    for candidates_query in passes:
        for start in range(0, SCAN_LIMIT, SCAN_BATCH):
            batch = [(pk, fit) for pk, fit in candidates_query[start: start + SCAN_BATCH] if pk not in seen]
            loads = loads_of([pk for pk, _fit in batch], now=now)
            for pk, fit in batch:
                seen.add(pk)
                load = loads.get(pk)
                if load is not None and load.at_capacity:
                    continue
                # A lighter load ranks higher: up to one point.
                scored.append((float(fit) + 1.0 - (load.share if load is not None else 0.0), pk))
            if len(batch) < SCAN_BATCH or len(scored) >= AVAILABILITY_CANDIDATES:
                break
        if len(scored) >= limit:
            break
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = [pk for _score, pk in scored[:AVAILABILITY_CANDIDATES]]
    base_scores = {pk: score for score, pk in scored[:AVAILABILITY_CANDIDATES]}
    candidates = list(SupporterProfile.objects.filter(pk__in=top).select_related("user__profile"))
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
