"""Recurrence is wall-clock in the series' time zone: 18:00 stays 18:00 across DST switches."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from peerhaven.groups.meetings_recurrence import (
    BIWEEKLY,
    MONTHLY_NTH,
    WEEKLY,
    RecurrenceError,
    build_rule,
    describe_rule,
    form_choices_for,
    full_rule_text,
    localise,
    occurrence_dates_before,
    occurrences,
    parse_rule,
)

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def _expand(pattern: str, *, tz: str, starts_on: dt.date, at: dt.time = dt.time(18, 0),
            months: int = 11, **kwargs: object) -> list[tuple[dt.datetime, dt.datetime]]:
    start = dt.datetime.combine(starts_on, dt.time(0, 0), tzinfo=UTC) - dt.timedelta(days=1)
    return occurrences(
        pattern=pattern, starts_on=starts_on, start_time=at, time_zone=tz, duration=90 * dt.timedelta(minutes=1),
        window_start=start, window_end=start + dt.timedelta(days=31 * months), **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("tz", "spring", "autumn", "winter_utc_hour", "summer_utc_hour"),
    [
        # New York: DST from 8 March to 1 November 2026 (EST UTC-5, EDT UTC-4).
        ("America/New_York", dt.date(2026, 3, 8), dt.date(2026, 11, 1), 23, 22),
        # Berlin: from 29 March to 25 October 2026 (CET UTC+1, CEST UTC+2).
        ("Europe/Berlin", dt.date(2026, 3, 29), dt.date(2026, 10, 25), 17, 16),
    ],
)
def test_it_keeps_weekly_18_00_local_across_every_dst_switch(
    tz: str, spring: dt.date, autumn: dt.date, winter_utc_hour: int, summer_utc_hour: int,
) -> None:
    pattern = build_rule(frequency=WEEKLY, weekdays=[1])  # Tuesdays
    found = _expand(pattern, tz=tz, starts_on=dt.date(2026, 1, 6), months=12)
    zone = zoneinfo.ZoneInfo(tz)
    assert len(found) >= 50
    for start, end in found:
        local = start.astimezone(zone)
        assert (local.hour, local.minute, local.weekday()) == (18, 0, 1)
        assert end - start == dt.timedelta(minutes=90)
        in_summer = spring <= local.date() < autumn
        assert start.hour == (summer_utc_hour if in_summer else winter_utc_hour), local
    # Each side of each switch is present, so the assertion above really crossed them.
    dates = {start.astimezone(zone).date() for start, _ in found}
    assert any(day < spring for day in dates) and any(spring <= day < autumn for day in dates)
    assert any(day >= autumn for day in dates)


def test_it_crosses_the_november_switch_in_new_york() -> None:
    # The Tuesday before and after 1 November 2026: same local time, an hour apart in UTC.
    found = _expand(build_rule(frequency=WEEKLY, weekdays=[1]), tz="America/New_York",
                    starts_on=dt.date(2026, 10, 20), months=1)
    by_date = {start.astimezone(zoneinfo.ZoneInfo("America/New_York")).date(): start for start, _ in found}
    assert by_date[dt.date(2026, 10, 27)] == dt.datetime(2026, 10, 27, 22, 0, tzinfo=UTC)
    assert by_date[dt.date(2026, 11, 3)] == dt.datetime(2026, 11, 3, 23, 0, tzinfo=UTC)


def test_it_builds_the_monthly_nth_weekday() -> None:
    pattern = build_rule(frequency=MONTHLY_NTH, nth=2, month_weekday=3)  # second Thursday
    assert pattern == "FREQ=MONTHLY;BYDAY=+2TH"
    found = _expand(pattern, tz="Europe/Berlin", starts_on=dt.date(2026, 1, 1), months=6)
    local = [start.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")) for start, _ in found]
    assert [day.date() for day in local[:6]] == [
        dt.date(2026, 1, 8), dt.date(2026, 2, 12), dt.date(2026, 3, 12),
        dt.date(2026, 4, 9), dt.date(2026, 5, 14), dt.date(2026, 6, 11),
    ]
    assert all(day.hour == 18 for day in local)


def test_it_builds_the_last_weekday_of_the_month() -> None:
    pattern = build_rule(frequency=MONTHLY_NTH, nth=-1, month_weekday=0)
    assert pattern == "FREQ=MONTHLY;BYDAY=-1MO"
    found = _expand(pattern, tz="UTC", starts_on=dt.date(2026, 1, 1), months=3)
    assert [start.date() for start, _ in found[:3]] == [dt.date(2026, 1, 26), dt.date(2026, 2, 23), dt.date(2026, 3, 30)]


def test_it_builds_every_other_week_on_several_days() -> None:
    pattern = build_rule(frequency=BIWEEKLY, weekdays=[3, 0, 3])
    assert pattern == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    found = _expand(pattern, tz="UTC", starts_on=dt.date(2026, 1, 5), months=1)
    assert [start.date() for start, _ in found[:4]] == [
        dt.date(2026, 1, 5), dt.date(2026, 1, 8), dt.date(2026, 1, 19), dt.date(2026, 1, 22),
    ]


def test_it_stops_at_count_until_and_the_hand_over_date() -> None:
    pattern = build_rule(frequency=WEEKLY, weekdays=[1])
    assert len(_expand(pattern, tz="UTC", starts_on=dt.date(2026, 1, 6), count=3)) == 3
    until = _expand(pattern, tz="UTC", starts_on=dt.date(2026, 1, 6), until=dt.date(2026, 1, 20))
    assert [start.date() for start, _ in until] == [dt.date(2026, 1, 6), dt.date(2026, 1, 13), dt.date(2026, 1, 20)]
    handed = _expand(pattern, tz="UTC", starts_on=dt.date(2026, 1, 6), stop_before=dt.date(2026, 1, 20))
    assert [start.date() for start, _ in handed] == [dt.date(2026, 1, 6), dt.date(2026, 1, 13)]
    assert occurrence_dates_before(pattern=pattern, starts_on=dt.date(2026, 1, 6), start_time=dt.time(18),
                                   until=None, count=10, before=dt.date(2026, 1, 20)) == 2


def test_it_returns_only_the_window() -> None:
    pattern = build_rule(frequency=WEEKLY, weekdays=[1])
    window_start = dt.datetime(2026, 2, 1, tzinfo=UTC)
    found = occurrences(pattern=pattern, starts_on=dt.date(2026, 1, 6), start_time=dt.time(18),
                        time_zone="America/New_York", duration=HOUR, window_start=window_start,
                        window_end=window_start + dt.timedelta(days=14))
    assert [start for start, _ in found] == [dt.datetime(2026, 2, 3, 23, tzinfo=UTC), dt.datetime(2026, 2, 10, 23, tzinfo=UTC)]


def test_it_moves_a_time_skipped_by_spring_forward_an_hour_later() -> None:
    # 02:30 does not exist in New York on 8 March 2026: the meeting lands at 03:30 EDT.
    start = localise(dt.datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert start == dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert start.astimezone(zoneinfo.ZoneInfo("America/New_York")).hour == 3


@pytest.mark.parametrize(
    ("text", "pattern", "until", "count"),
    [
        ("RRULE:FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU", None, None),
        ("freq=monthly;byday=-1fr;count=6", "FREQ=MONTHLY;BYDAY=-1FR", None, 6),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20270101T000000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
         dt.date(2027, 1, 1), None),
    ],
)
def test_it_parses_a_typed_rule(text: str, pattern: str, until: dt.date | None, count: int | None) -> None:
    parsed = parse_rule(text)
    assert (parsed.pattern, parsed.until, parsed.count) == (pattern, until, count)


@pytest.mark.parametrize(
    "text",
    [
        "", "FREQ=HOURLY", "FREQ=MINUTELY;INTERVAL=5", "FREQ=WEEKLY;BYHOUR=18", "DTSTART=20260101",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "FREQ=WEEKLY;INTERVAL=0", "FREQ=WEEKLY;INTERVAL=99",
        "FREQ=WEEKLY;COUNT=100000", "FREQ=WEEKLY;BYDAY=XX", "hello", "FREQ=WEEKLY\nRRULE:FREQ=DAILY",
        "FREQ=WEEKLY;FREQ=DAILY", "FREQ=WEEKLY;X-NAME=1", "FREQ=WEEKLY;UNTIL=tomorrow", "A" * 400,
    ],
)
def test_it_refuses_rules_a_meeting_cannot_follow(text: str) -> None:
    with pytest.raises(RecurrenceError):
        parse_rule(text)


def test_it_refuses_an_incomplete_form() -> None:
    with pytest.raises(RecurrenceError):
        build_rule(frequency=WEEKLY, weekdays=[])
    with pytest.raises(RecurrenceError):
        build_rule(frequency=MONTHLY_NTH, nth=5, month_weekday=1)
    with pytest.raises(RecurrenceError):
        build_rule(frequency="fortnightly")


def test_it_writes_the_end_into_the_full_rule() -> None:
    assert full_rule_text("FREQ=WEEKLY", until=None, count=4) == "FREQ=WEEKLY;COUNT=4"
    assert full_rule_text("FREQ=WEEKLY", until=dt.date(2027, 1, 2), count=None) == "FREQ=WEEKLY;UNTIL=20270102T235959"
    assert full_rule_text("FREQ=WEEKLY", until=None, count=None) == "FREQ=WEEKLY"


def test_it_describes_the_rules_the_form_builds() -> None:
    assert describe_rule("FREQ=WEEKLY;BYDAY=TU,TH") == "Every week on Tuesday, Thursday"
    assert describe_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO") == "Every 2 weeks on Monday"
    assert describe_rule("FREQ=MONTHLY;BYDAY=-1FR", count=6) == "Every month on the last Friday, 6 meetings in all"
    assert describe_rule("FREQ=YEARLY;BYMONTH=3") == "On a custom schedule"


def test_it_turns_a_rule_back_into_the_forms_choices() -> None:
    assert form_choices_for("FREQ=WEEKLY;BYDAY=TU,TH") == {"frequency": WEEKLY, "weekdays": [1, 3]}
    assert form_choices_for("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO") == {"frequency": BIWEEKLY, "weekdays": [0]}
    assert form_choices_for("FREQ=MONTHLY;BYDAY=-1FR") == {"frequency": MONTHLY_NTH, "nth": -1, "month_weekday": 4}
    assert form_choices_for("FREQ=MONTHLY;BYMONTHDAY=1") == {"frequency": WEEKLY, "advanced_rule": "FREQ=MONTHLY;BYMONTHDAY=1"}
