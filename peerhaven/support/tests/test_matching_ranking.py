"""The one-query ranking behind "Suggested for you": capacity counted in each supporter's own
week (also when their zone is missing from the cached list of zones), the bounded pool of the
best by fit giving the same answer as ranking everyone, and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerhaven.accounts.models import Profile, User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.support.models import Booking, BookingStatus
from peerhaven.support.selectors import matching
from peerhaven.support.selectors.booking import busy_sources, seeker_bookings_busy
from peerhaven.support.selectors.matching import ZONES_CACHE_KEY, suggestions_for
from peerhaven.support.services.matching import preference_update
from peerhaven.support.tests.grid_matching import make_supporter

pytestmark = pytest.mark.django_db


def _seeker() -> User:
    seeker = make_member(verified=True)
    Profile.objects.filter(user=seeker).update(time_zone="UTC")
    return User.objects.select_related("profile").get(pk=seeker.pk)


def _book(supporter: Any, starts_at: dt.datetime, status: str = BookingStatus.CONFIRMED) -> None:
    Booking.objects.create(
        seeker=make_member(verified=True), supporter=supporter, starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50), blocked_until=starts_at + dt.timedelta(minutes=50),
        length_minutes=50, status=status,
    )


def _suggested(seeker: Any, now: dt.datetime) -> list[int]:
    return [item.supporter.pk for item in suggestions_for(seeker, now=now)]


@pytest.mark.parametrize("zones_cached", [None, ["UTC"]], ids=["zone known", "zone missing from the cached list"])
def test_it_counts_capacity_in_the_supporters_own_week(zones_cached: list[str] | None) -> None:
    cache.delete(ZONES_CACHE_KEY)
    if zones_cached is not None:
        cache.set(ZONES_CACHE_KEY, zones_cached, 60)  # Auckland first used within the last minute
    now = dt.datetime(2027, 3, 14, 10, 30, tzinfo=dt.UTC)  # Sunday 23:30 in Auckland
    full = make_supporter(time_zone="Pacific/Auckland", max_per_week=1)
    _book(full, dt.datetime(2027, 3, 13, 20, 0, tzinfo=dt.UTC))  # Sunday 09:00 in Auckland: this week
    free = make_supporter(time_zone="Pacific/Auckland", max_per_week=2)
    _book(free, dt.datetime(2027, 3, 12, 10, 0, tzinfo=dt.UTC))  # Friday 23:00 in Auckland: one of two
    _book(free, dt.datetime(2027, 3, 13, 22, 0, tzinfo=dt.UTC), status=BookingStatus.CANCELLED)  # does not count
    seeker = _seeker()
    assert _suggested(seeker, now) == [free.pk]
    # Monday 00:30 in Auckland: a new week there, room again for both.
    later = dt.datetime(2027, 3, 14, 11, 30, tzinfo=dt.UTC)
    assert set(_suggested(seeker, later)) == {full.pk, free.pk}
    cache.delete(ZONES_CACHE_KEY)


def test_the_pool_of_the_best_by_fit_gives_the_same_order_as_ranking_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime(2027, 3, 17, 12, 0, tzinfo=dt.UTC)  # a Wednesday
    # The best fit is three quarters full this month (a lighter load counts for up to one
    # point) ...
    best_fit = make_supporter(languages=["es"], specialties=["grief"], max_per_month=4, every_day=False)
    for day in (2, 3, 4):
        _book(best_fit, dt.datetime(2027, 3, day, 10, 0, tzinfo=dt.UTC), status=BookingStatus.COMPLETED)
    # ... so the same fit with no load at all overtakes it, though it comes later by fit alone.
    lighter = [make_supporter(languages=["es"], specialties=["grief", "burnout"], every_day=False) for _ in range(3)]
    others = [make_supporter(languages=["es"], specialties=["burnout"], every_day=False) for _ in range(3)]
    seeker = _seeker()
    preference_update(actor=seeker, needs=["grief"], languages=["es"], session_length=None)
    everyone = _suggested(seeker, now)
    assert everyone == [*(s.pk for s in lighter), best_fit.pk, others[0].pk, others[1].pk]
    queries: list[int | None] = []
    original = matching._Ranking._query

    def spy(self: Any, count: int, pool: int | None, **kwargs: Any) -> Any:
        queries.append(pool)
        return original(self, count, pool, **kwargs)

    monkeypatch.setattr(matching._Ranking, "_query", spy)
    for pool in (1, 2, 5):
        monkeypatch.setattr(matching, "FIT_POOL", pool)
        assert _suggested(seeker, now) == everyone, pool
    # Too few kept to be sure: each time the ranking was asked again over everyone.
    assert queries == [1, None, 2, None, 5, None]
    # Two candidates: the two lighter ones score more than a point above the pool's worst fit
    # (the first "other"), so the pool's answer stands without a second query.
    monkeypatch.setattr(matching, "AVAILABILITY_CANDIDATES", 2)
    queries.clear()
    assert [item.supporter.pk for item in suggestions_for(seeker, now=now, limit=2)] == [lighter[0].pk, lighter[1].pk]
    assert queries == [5]


def test_suggestions_take_a_fixed_number_of_queries() -> None:
    now = dt.datetime(2027, 3, 17, 12, 0, tzinfo=dt.UTC)

    def count() -> int:
        seeker = _seeker()
        with CaptureQueriesContext(connection) as captured:
            suggestions_for(seeker, now=now)
        return len(captured)

    # Enough who share the member's language that the others are never read (that second
    # pass is one more query, whatever the numbers).
    for _ in range(7):
        make_supporter(languages=["en"])
    count()  # the list of zones in use is cached after the first call
    few = count()
    for _ in range(12):
        _book(make_supporter(languages=["en"]), now + dt.timedelta(hours=30))
    assert count() == few
    # preference, exclusions (2), ranking, candidates, availability (3), and one per busy source
    # other apps register (group meetings, meetups)
    assert few == 8 + len([source for source in busy_sources() if source is not seeker_bookings_busy])
    assert few == 10
