"""Meeting recurrence, pure and database-free: building an RRULE from the scheduling form's
choices, validating one typed by hand, and expanding it into meeting times.

Recurrence is wall-clock: the rule is expanded on naive local date-times in the series' time zone
and each occurrence is only then given that zone's offset, so "Tuesdays 18:00" in New York stays
18:00 there on both sides of a DST switch (and moves in UTC instead).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# What the friendly form offers.
ONCE, WEEKLY, BIWEEKLY, MONTHLY_NTH = "once", "weekly", "biweekly", "monthly_nth"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = Python's weekday()
NTH_CHOICES = (1, 2, 3, 4, -1)  # -1: the last one of the month

MAX_RULE_LENGTH = 300
MAX_INTERVAL = 12
MAX_COUNT = 520  # ten years of weekly meetings
# Parts a meeting rule may not use: the time of day comes from the series, one meeting a day at most.
_FORBIDDEN_PARTS = {"DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"}
_ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_ALLOWED_PARTS = {
    "FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYWEEKNO", "BYYEARDAY",
    "WKST", "UNTIL", "COUNT",
}
_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")


class RecurrenceError(ValueError):
    """A rule that cannot be used; the message is kind and can be shown to the facilitator."""


@dataclass(frozen=True)
class ParsedRule:
    """A rule split into its pattern (how it repeats) and its end (UNTIL date or COUNT)."""

    pattern: str  # e.g. "FREQ=WEEKLY;BYDAY=TU,TH": no UNTIL, COUNT or DTSTART
    until: dt.date | None = None
    count: int | None = None


def build_rule(
    *, frequency: str, weekdays: Sequence[int] = (), nth: int | None = None,
    month_weekday: int | None = None,
) -> str:
    """The RRULE pattern for the scheduling form's choices (without its end)."""
    if frequency in (WEEKLY, BIWEEKLY):
        if not weekdays:
            raise RecurrenceError(_("Choose at least one weekday."))
        days = ",".join(WEEKDAY_CODES[day] for day in sorted(set(weekdays)))
        interval = ";INTERVAL=2" if frequency == BIWEEKLY else ""
        return f"FREQ=WEEKLY{interval};BYDAY={days}"
    if frequency == MONTHLY_NTH:
        if nth not in NTH_CHOICES or month_weekday is None or not 0 <= month_weekday <= 6:
            raise RecurrenceError(_("Choose which weekday of the month."))
        return f"FREQ=MONTHLY;BYDAY={nth:+d}{WEEKDAY_CODES[month_weekday]}"
    raise RecurrenceError(_("Choose how often the group meets."))


def parse_rule(text: str) -> ParsedRule:
    """Validate an RRULE (with or without the "RRULE:" prefix) and split off its end.

    Refuses what a meeting series cannot mean: sub-daily frequencies, a time of day inside the
    rule (the series has its own), a DTSTART, several lines, absurd intervals or counts.
    """
    cleaned = text.strip().upper()
    if cleaned.startswith("RRULE:"):
        cleaned = cleaned[len("RRULE:"):]
    if not cleaned:
        raise RecurrenceError(_("The recurrence rule is empty."))
    if len(cleaned) > MAX_RULE_LENGTH or "\n" in cleaned or "\r" in cleaned:
        raise RecurrenceError(_("The recurrence rule is too long: use one RRULE line."))
    parts: dict[str, str] = {}
    for part in cleaned.split(";"):
        if not part:
            continue
        if not _PART.match(part):
            raise RecurrenceError(_("The recurrence rule is not in RRULE form (NAME=VALUE;…)."))
        name, _sep, value = part.partition("=")
        if name in _FORBIDDEN_PARTS:
            raise RecurrenceError(
                _("Leave %(part)s out of the rule: the start date and time are set separately.")
                % {"part": name}
            )
        if name not in _ALLOWED_PARTS:
            raise RecurrenceError(_("The rule part %(part)s is not supported.") % {"part": name})
        if name in parts:
            raise RecurrenceError(_("The rule part %(part)s appears twice.") % {"part": name})
        parts[name] = value
    frequency = parts.get("FREQ")
    if frequency not in _ALLOWED_FREQUENCIES:
        raise RecurrenceError(_("The rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."))
    if "INTERVAL" in parts:
        if not parts["INTERVAL"].isdigit() or not 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL:
            raise RecurrenceError(
                _("INTERVAL must be a whole number from 1 to %(max)d.") % {"max": MAX_INTERVAL}
            )
    if "UNTIL" in parts and "COUNT" in parts:
        raise RecurrenceError(_("Use either UNTIL or COUNT, not both."))
    count: int | None = None
    until: dt.date | None = None
    if "COUNT" in parts:
        raw_count = parts.pop("COUNT")
        if not raw_count.isdigit() or not 1 <= int(raw_count) <= MAX_COUNT:
            raise RecurrenceError(
                _("COUNT must be a whole number from 1 to %(max)d.") % {"max": MAX_COUNT}
            )
        count = int(raw_count)
    if "UNTIL" in parts:
        raw_until = parts.pop("UNTIL")
        try:
            until = dt.datetime.strptime(raw_until[:8], "%Y%m%d").date()  # noqa: DTZ007 - a date
        except ValueError as bad:
            raise RecurrenceError(_("UNTIL must be a date such as 20271231.")) from bad
    pattern = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rrulestr(f"RRULE:{pattern}", dtstart=dt.datetime(2000, 1, 1))  # noqa: DTZ001 - wall clock
    except (ValueError, TypeError, KeyError, IndexError) as bad:
        raise RecurrenceError(_("The recurrence rule could not be read.")) from bad
    return ParsedRule(pattern=pattern, until=until, count=count)


def full_rule_text(pattern: str, *, until: dt.date | None, count: int | None) -> str:
    """The pattern with its end, as an RRULE value (UNTIL as a local date: wall-clock rules)."""
    if count is not None:
        return f"{pattern};COUNT={count}"
    if until is not None:
        return f"{pattern};UNTIL={until:%Y%m%d}T235959"
    return pattern


def _rule(pattern: str, *, starts_on: dt.date, start_time: dt.time, until: dt.date | None,
          count: int | None) -> rrule:
    dtstart = dt.datetime.combine(starts_on, start_time)
    rule = rrulestr(f"RRULE:{pattern}", dtstart=dtstart)
    assert isinstance(rule, rrule)  # one RRULE line: parse_rule refuses sets
    if count is not None:
        return rule.replace(count=count, until=None)
    if until is not None:
        return rule.replace(until=dt.datetime.combine(until, dt.time(23, 59, 59)), count=None)
    return rule


def localise(naive: dt.datetime, time_zone: str) -> dt.datetime:
    """A local wall-clock time in `time_zone` as an aware UTC datetime.

    A time skipped by a spring-forward switch (02:30 on that night) lands an hour later in wall
    time (as calendars do); a repeated one (01:30 in the autumn) is the first of the two.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    return naive.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def occurrences(
    *, pattern: str, starts_on: dt.date, start_time: dt.time, time_zone: str,
    duration: dt.timedelta, window_start: dt.datetime, window_end: dt.datetime,
    until: dt.date | None = None, count: int | None = None, stop_before: dt.date | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) pairs in UTC of every occurrence starting inside [window_start, window_end).

    `stop_before` is the local date from which an edited series hands over to its successor.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("The window must be aware datetimes.")
    zone = zoneinfo.ZoneInfo(time_zone)
    rule = _rule(pattern, starts_on=starts_on, start_time=start_time, until=until, count=count)
    # Naive local bounds a day wider than the window: offsets never exceed a day, and the
    # exact comparison happens on aware values below.
    low = window_start.astimezone(zone).replace(tzinfo=None) - dt.timedelta(days=1)
    high = window_end.astimezone(zone).replace(tzinfo=None) + dt.timedelta(days=1)
    found: list[tuple[dt.datetime, dt.datetime]] = []
    for naive in rule.between(low, high, inc=True):
        if stop_before is not None and naive.date() >= stop_before:
            break
        start = localise(naive, time_zone)
        if window_start <= start < window_end:
            found.append((start, start + duration))
    return found


def occurrence_dates_before(
    *, pattern: str, starts_on: dt.date, start_time: dt.time, until: dt.date | None,
    count: int | None, before: dt.date,
) -> int:
    """How many occurrences fall on local dates before `before` (to carry a COUNT over when a
    series is edited from a date forward)."""
    rule = _rule(pattern, starts_on=starts_on, start_time=start_time, until=until, count=count)
    limit = dt.datetime.combine(before, dt.time(0, 0))
    return sum(1 for _naive in rule.between(dt.datetime.combine(starts_on, dt.time(0, 0)), limit, inc=True))


def first_occurrence_on_or_after(
    *, pattern: str, starts_on: dt.date, start_time: dt.time, until: dt.date | None,
    count: int | None,
) -> dt.datetime | None:
    """The first local (naive) occurrence, or None when the rule never fires."""
    rule = _rule(pattern, starts_on=starts_on, start_time=start_time, until=until, count=count)
    return rule.after(dt.datetime.combine(starts_on, dt.time(0, 0)), inc=True)


def describe_rule(pattern: str, *, until: dt.date | None = None, count: int | None = None) -> str:
    """A sentence for members ("Every 2 weeks on Tuesday"); custom rules get a generic one."""
    parts = dict(part.partition("=")[::2] for part in pattern.split(";") if part)
    names = weekday_names()
    frequency = parts.get("FREQ")
    interval = int(parts.get("INTERVAL", "1") or 1)
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    extra = set(parts) - {"FREQ", "INTERVAL", "BYDAY"}
    text: str
    if frequency == "WEEKLY" and days and not extra and all(day in WEEKDAY_CODES for day in days):
        listed = ", ".join(str(names[WEEKDAY_CODES.index(day)]) for day in days)
        if interval == 1:
            text = _("Every week on %(days)s") % {"days": listed}
        else:
            text = _("Every %(n)d weeks on %(days)s") % {"n": interval, "days": listed}
    elif frequency == "MONTHLY" and len(days) == 1 and not extra and interval == 1:
        match = re.fullmatch(r"([+-]?\d)([A-Z]{2})", days[0])
        if match and match.group(2) in WEEKDAY_CODES and int(match.group(1)) in NTH_CHOICES:
            nth = int(match.group(1))
            text = _("Every month on the %(nth)s %(day)s") % {
                "nth": nth_label(nth), "day": names[WEEKDAY_CODES.index(match.group(2))],
            }
        else:
            text = _("On a custom schedule")
    else:
        text = _("On a custom schedule")
    if count is not None:
        text += ", " + ngettext("%(count)d meeting in all", "%(count)d meetings in all", count) % {
            "count": count,
        }
    elif until is not None:
        from django.utils.formats import date_format

        text += ", " + _("until %(date)s") % {"date": date_format(until, "DATE_FORMAT")}
    return text


def form_choices_for(pattern: str) -> dict[str, object]:
    """The scheduling form's choices that rebuild `pattern` (for editing a series), or the rule
    itself as the advanced field when the friendly choices cannot express it."""
    parts = dict(part.partition("=")[::2] for part in pattern.split(";") if part)
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    extra = set(parts) - {"FREQ", "INTERVAL", "BYDAY"}
    interval = parts.get("INTERVAL", "1")
    if parts.get("FREQ") == "WEEKLY" and days and not extra and all(day in WEEKDAY_CODES for day in days):
        if interval in ("1", "2"):
            return {"frequency": WEEKLY if interval == "1" else BIWEEKLY,
                    "weekdays": [WEEKDAY_CODES.index(day) for day in days]}
    if parts.get("FREQ") == "MONTHLY" and len(days) == 1 and not extra and interval == "1":
        match = re.fullmatch(r"([+-]?\d)([A-Z]{2})", days[0])
        if match and match.group(2) in WEEKDAY_CODES and int(match.group(1)) in NTH_CHOICES:
            return {"frequency": MONTHLY_NTH, "nth": int(match.group(1)),
                    "month_weekday": WEEKDAY_CODES.index(match.group(2))}
    return {"frequency": WEEKLY, "advanced_rule": pattern}


def weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
            _("Saturday"), _("Sunday")]


def nth_label(nth: int) -> str:
    return {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), -1: _("last")}[nth]
