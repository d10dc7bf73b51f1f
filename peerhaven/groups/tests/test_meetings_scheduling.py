"""Scheduling: series materialised for the rolling horizon in the group's wall-clock time, moving
and cancelling one occurrence, editing a series from a date, one-off meetings, the scheduling
form, notifications (content-free) and the 24-hour reminder."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.models.meetings import Meeting, MeetingSeries, MeetingStatus
from peerhaven.groups.services.meetings import (
    HORIZON,
    SeriesPlan,
    meeting_cancel,
    meeting_create,
    meeting_move,
    meeting_reminders_send,
    series_create,
    series_edit_from,
    series_extend_all,
    series_materialise,
)
from peerhaven.groups.tests.grid_meetings import make_group
from peerhaven.notifications.kinds import kind_title
from peerhaven.notifications.models import Notification

UTC = dt.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# A fixed "now" before the October switch in Berlin (25 October 2026) and the November one in
# New York (1 November 2026), so 12 weeks of meetings cross both.
NOW = dt.datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
# Pages act at the real "now": their dates are a fortnight ahead.
SOON = dt.date.today() + dt.timedelta(days=14)


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    facilitator = make_member(verified=True)
    alice = make_member(verified=True)
    bob = make_member(verified=True)
    return {"facilitator": facilitator, "alice": alice, "bob": bob,
            "group": make_group(facilitator, members=(alice, bob))}


def _weekly(group: Any, actor: Any, *, day: str = "TH", starts_on: dt.date = dt.date(2026, 10, 1),
            **extra: Any) -> MeetingSeries:
    plan = SeriesPlan(rule=f"FREQ=WEEKLY;BYDAY={day}", starts_on=starts_on, start_time=dt.time(18, 0),
                      duration_minutes=90, **extra)
    return series_create(actor=actor, group=group, plan=plan, now=NOW)


def test_it_materialises_twelve_weeks_at_the_same_wall_clock_time_across_dst(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    assert len(meetings) == 12  # 1 Oct (18:00 is after 'now') through 17 Dec
    for meeting in meetings:
        local = meeting.starts_at.astimezone(BERLIN)
        assert (local.weekday(), local.hour, local.minute) == (3, 18, 0)
        assert meeting.duration_minutes == 90
        assert meeting.occurrence_start == meeting.starts_at
    # Summer time before 25 October (UTC+2), winter time after (UTC+1).
    assert meetings[0].starts_at == dt.datetime(2026, 10, 1, 16, 0, tzinfo=UTC)
    assert meetings[4].starts_at == dt.datetime(2026, 10, 29, 17, 0, tzinfo=UTC)
    assert series.materialised_until == NOW + HORIZON


def test_it_keeps_new_york_evenings_local_across_the_november_switch(people: dict[str, Any]) -> None:
    group = make_group(people["facilitator"], time_zone="America/New_York", name="Evening group")
    series = _weekly(group, people["facilitator"], day="TU")
    starts = [m.starts_at for m in Meeting.objects.filter(series=series).order_by("starts_at")]
    assert all(s.astimezone(NEW_YORK).hour == 18 for s in starts)
    assert dt.datetime(2026, 10, 27, 22, 0, tzinfo=UTC) in starts  # EDT
    assert dt.datetime(2026, 11, 3, 23, 0, tzinfo=UTC) in starts  # EST


def test_it_materialises_once_and_extends_the_horizon_daily(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    assert series_materialise(series=series, now=NOW) == 0
    assert Meeting.objects.filter(series=series).count() == 12
    # A week later the daily job adds exactly the one new week.
    assert series_extend_all(now=NOW + dt.timedelta(days=7)) == 1
    assert series_extend_all(now=NOW + dt.timedelta(days=7)) == 0
    assert Meeting.objects.filter(series=series).count() == 13


def test_it_stops_at_the_count(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"], count=3)
    assert Meeting.objects.filter(series=series).count() == 3
    assert series_extend_all(now=NOW + dt.timedelta(days=60)) == 0


def test_it_moves_one_occurrence_and_never_recreates_its_slot(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    second = Meeting.objects.filter(series=series).order_by("starts_at")[1]
    new_start = dt.datetime(2026, 10, 9, 17, 0, tzinfo=BERLIN)
    meeting_move(actor=people["facilitator"], meeting=second, starts_at=new_start, notice="Room change",
                 now=NOW)
    second.refresh_from_db()
    assert second.starts_at == new_start and second.ends_at == new_start + dt.timedelta(minutes=90)
    assert second.is_moved and second.sequence == 1 and second.notice == "Room change"
    assert second.occurrence_start == dt.datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    series.materialised_until = None
    series_materialise(series=series, now=NOW)
    assert Meeting.objects.filter(series=series).count() == 12
    # The others did not move.
    assert Meeting.objects.filter(series=series, moved_at__isnull=False).count() == 1


def test_it_cancels_one_occurrence_keeping_it_and_telling_members_without_content(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    third = Meeting.objects.filter(series=series).order_by("starts_at")[2]
    Notification.objects.all().delete()
    meeting_cancel(actor=people["facilitator"], meeting=third, notice="Facilitator away", now=NOW)
    third.refresh_from_db()
    assert third.status == MeetingStatus.CANCELLED and third.cancelled_by == people["facilitator"]
    series.materialised_until = None
    series_materialise(series=series, now=NOW)
    assert Meeting.objects.filter(series=series).count() == 12
    notices = Notification.objects.filter(kind="groups.meeting_cancelled")
    assert {n.user_id for n in notices} == {people["alice"].pk, people["bob"].pk}
    assert all(n.link == reverse("groups:meeting_detail", kwargs={"pk": third.pk}) for n in notices)
    title = kind_title("groups.meeting_cancelled")
    assert people["group"].name not in title and "away" not in title


def test_it_refuses_to_move_or_cancel_for_members_and_after_the_start(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    first = Meeting.objects.filter(series=series).order_by("starts_at")[0]
    with pytest.raises(PermissionDenied):
        meeting_cancel(actor=people["alice"], meeting=first, now=NOW)
    with pytest.raises(PermissionDenied):
        meeting_cancel(actor=people["facilitator"], meeting=first, now=first.starts_at + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        meeting_move(actor=people["facilitator"], meeting=first, starts_at=NOW - dt.timedelta(hours=1), now=NOW)
    first.refresh_from_db()
    assert first.status == MeetingStatus.SCHEDULED and not first.is_moved


def test_it_edits_a_series_from_a_date_forward(people: dict[str, Any]) -> None:
    facilitator = people["facilitator"]
    series = _weekly(people["group"], facilitator, count=10)
    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    moved = meetings[5]
    meeting_move(actor=facilitator, meeting=moved, starts_at=moved.starts_at + dt.timedelta(hours=1), now=NOW)
    # From 22 October on: Tuesdays at 19:00; the 4 meetings before stay (1, 8, 15 Oct... and the
    # meeting on 15 October), 6 of the 10 remain for the new rule.
    successor = series_edit_from(
        actor=facilitator, series=series, from_date=dt.date(2026, 10, 20),
        plan=SeriesPlan(rule="FREQ=WEEKLY;BYDAY=TU", starts_on=dt.date(2026, 10, 20), start_time=dt.time(19, 0),
                        duration_minutes=60),
        now=NOW,
    )
    series.refresh_from_db()
    assert series.stop_before == dt.date(2026, 10, 20) and successor.previous == series
    kept = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    assert [m.starts_at.astimezone(BERLIN).date() for m in kept] == [
        dt.date(2026, 10, 1), dt.date(2026, 10, 8), dt.date(2026, 10, 15), moved.starts_at.astimezone(BERLIN).date(),
    ]
    assert successor.count == 7  # 10 minus the 3 meetings held before 20 October
    new = list(Meeting.objects.filter(series=successor).order_by("starts_at"))
    assert len(new) == 7
    assert all(m.starts_at.astimezone(BERLIN).weekday() == 1 and m.starts_at.astimezone(BERLIN).hour == 19 for m in new)
    assert new[0].starts_at.astimezone(BERLIN).date() == dt.date(2026, 10, 20)
    assert all(m.duration_minutes == 60 for m in new)
    # The old series does not come back when the horizon rolls.
    series_extend_all(now=NOW + dt.timedelta(days=30))
    assert Meeting.objects.filter(series=series).count() == 4


def test_it_refuses_an_edit_in_the_past_and_by_members(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    plan = SeriesPlan(rule="FREQ=WEEKLY;BYDAY=MO", starts_on=dt.date(2026, 9, 1), start_time=dt.time(9), duration_minutes=60)
    with pytest.raises(ValidationError):
        series_edit_from(actor=people["facilitator"], series=series, from_date=dt.date(2026, 9, 1), plan=plan, now=NOW)
    with pytest.raises(PermissionDenied):
        series_edit_from(actor=people["alice"], series=series, from_date=dt.date(2026, 10, 20), plan=plan, now=NOW)
    assert MeetingSeries.objects.count() == 1


def test_it_refuses_a_schedule_without_any_meeting(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _weekly(people["group"], people["facilitator"], until=dt.date(2026, 9, 1))
    with pytest.raises(ValidationError):
        series_create(actor=people["facilitator"], group=people["group"], now=NOW, plan=SeriesPlan(
            rule="FREQ=HOURLY", starts_on=dt.date(2026, 10, 1), start_time=dt.time(18), duration_minutes=60))
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_it_schedules_a_one_off_meeting_and_tells_the_members(people: dict[str, Any]) -> None:
    start = dt.datetime(2026, 10, 14, 12, 0, tzinfo=BERLIN)
    meeting = meeting_create(actor=people["facilitator"], group=people["group"], starts_at=start,
                             duration_minutes=45, now=NOW)
    assert meeting.series is None and meeting.ends_at == start + dt.timedelta(minutes=45)
    told = set(Notification.objects.filter(kind="groups.meeting_scheduled").values_list("user_id", flat=True))
    assert told == {people["alice"].pk, people["bob"].pk}


def test_it_sends_the_reminder_once_a_day_before(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    first = Meeting.objects.filter(series=series).order_by("starts_at")[0]
    early = first.starts_at - dt.timedelta(hours=30)
    assert meeting_reminders_send(now=early) == 0
    due = first.starts_at - dt.timedelta(hours=23)
    assert meeting_reminders_send(now=due) == 1
    assert meeting_reminders_send(now=due + dt.timedelta(hours=1)) == 0
    reminded = Notification.objects.filter(kind="groups.meeting_reminder")
    assert reminded.count() == 3  # facilitator, alice and bob, once each
    # A moved meeting is reminded again at its new time.
    meeting_move(actor=people["facilitator"], meeting=first, starts_at=first.starts_at + dt.timedelta(days=1), now=due)
    assert meeting_reminders_send(now=due + dt.timedelta(days=1)) == 1


def test_it_leaves_cancelled_meetings_without_a_reminder(people: dict[str, Any]) -> None:
    series = _weekly(people["group"], people["facilitator"])
    first = Meeting.objects.filter(series=series).order_by("starts_at")[0]
    meeting_cancel(actor=people["facilitator"], meeting=first, now=NOW)
    assert meeting_reminders_send(now=first.starts_at - dt.timedelta(hours=2)) == 0


# --- the scheduling page ----------------------------------------------------------------------------
def _form(**overrides: Any) -> dict[str, Any]:
    data = {"title": "", "frequency": "weekly", "weekdays": ["1", "3"], "nth": "", "month_weekday": "",
            "starts_on": SOON.isoformat(), "start_time": "18:00", "duration_minutes": "90", "ends": "after_count",
            "until": "", "count": "6", "advanced_rule": ""}
    data.update(overrides)
    return data


def test_it_builds_the_rule_from_the_friendly_form(people: dict[str, Any]) -> None:
    client = sign_in(Client(), people["facilitator"])
    url = reverse("groups:meeting_create", kwargs={"pk": people["group"].pk})
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert (series.rule, series.count, series.time_zone) == ("FREQ=WEEKLY;BYDAY=TU,TH", 6, "Europe/Berlin")
    assert Meeting.objects.filter(series=series).count() == 6


def test_it_schedules_monthly_on_the_nth_weekday_from_the_form(people: dict[str, Any]) -> None:
    client = sign_in(Client(), people["facilitator"])
    url = reverse("groups:meeting_create", kwargs={"pk": people["group"].pk})
    response = client.post(url, _form(frequency="monthly_nth", weekdays=[], nth="-1", month_weekday="4",
                                      ends="on_date", until=(SOON + dt.timedelta(days=180)).isoformat(), count=""))
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert (series.rule, series.until, series.count) == ("FREQ=MONTHLY;BYDAY=-1FR", SOON + dt.timedelta(days=180), None)


def test_it_accepts_a_typed_rule_and_a_one_off_from_the_form(people: dict[str, Any]) -> None:
    client = sign_in(Client(), people["facilitator"])
    url = reverse("groups:meeting_create", kwargs={"pk": people["group"].pk})
    assert client.post(url, _form(advanced_rule="FREQ=MONTHLY;BYMONTHDAY=1;COUNT=2", ends="never", count="")).status_code == 302
    assert MeetingSeries.objects.get().rule == "FREQ=MONTHLY;BYMONTHDAY=1"
    response = client.post(url, _form(frequency="once", weekdays=[], ends="never", count=""))
    assert response.status_code == 302
    one_off = Meeting.objects.get(series__isnull=True)
    assert one_off.starts_at == dt.datetime.combine(SOON, dt.time(18, 0), tzinfo=BERLIN)


@pytest.mark.parametrize(
    "overrides",
    [
        {"weekdays": []},
        {"frequency": "monthly_nth", "weekdays": [], "nth": ""},
        {"ends": "on_date", "until": "", "count": ""},
        {"ends": "after_count", "count": ""},
        {"advanced_rule": "FREQ=MINUTELY"},
        {"duration_minutes": "5"},
        {"start_time": "25:00"},
        {"frequency": "yearly"},
    ],
)
def test_it_answers_bad_schedules_kindly_and_writes_nothing(people: dict[str, Any], overrides: dict[str, Any]) -> None:
    client = sign_in(Client(), people["facilitator"])
    response = client.post(reverse("groups:meeting_create", kwargs={"pk": people["group"].pk}), _form(**overrides))
    assert response.status_code == 422
    assert b"field-error" in response.content
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_it_keeps_the_scheduling_page_for_facilitators(people: dict[str, Any]) -> None:
    url = reverse("groups:meeting_create", kwargs={"pk": people["group"].pk})
    assert sign_in(Client(), people["alice"]).get(url).status_code == 404
    assert sign_in(Client(), people["alice"]).post(url, _form()).status_code == 404
    assert not MeetingSeries.objects.exists()


def test_it_edits_a_series_through_its_page(people: dict[str, Any]) -> None:
    series = series_create(actor=people["facilitator"], group=people["group"], plan=SeriesPlan(
        rule="FREQ=WEEKLY;BYDAY=TH", starts_on=SOON, start_time=dt.time(18, 0), duration_minutes=90))
    client = sign_in(Client(), people["facilitator"])
    url = reverse("groups:meeting_series_edit", kwargs={"pk": series.pk})
    assert client.get(url).status_code == 200
    data = _form(from_date=(SOON + dt.timedelta(days=20)).isoformat(), starts_on="", weekdays=["0"], ends="never", count="", start_time="08:30")
    assert client.post(url, data).status_code == 302
    successor = MeetingSeries.objects.get(previous=series)
    assert successor.rule == "FREQ=WEEKLY;BYDAY=MO" and successor.start_time == dt.time(8, 30)
    assert sign_in(Client(), people["alice"]).get(url).status_code == 404


def test_it_moves_and_cancels_through_the_pages(people: dict[str, Any]) -> None:
    start = dt.datetime.combine(SOON, dt.time(18, 0), tzinfo=BERLIN)
    meeting = meeting_create(actor=people["facilitator"], group=people["group"], starts_at=start, duration_minutes=60)
    client = sign_in(Client(), people["facilitator"])
    move = reverse("groups:meeting_move", kwargs={"pk": meeting.pk})
    assert client.get(move).status_code == 200
    assert client.post(move, {"date": (SOON + dt.timedelta(days=1)).isoformat(), "start_time": "19:15", "duration_minutes": "60", "notice": ""}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime.combine(SOON + dt.timedelta(days=1), dt.time(19, 15), tzinfo=BERLIN)
    # A phone number in the note is refused (the PHI guard), nothing changes.
    cancel = reverse("groups:meeting_cancel", kwargs={"pk": meeting.pk})
    response = client.post(cancel, {"notice": "Call me on 555-123-4567"})
    assert response.status_code == 422
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert client.post(cancel, {"notice": "Sorry, see you next week."}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert sign_in(Client(), people["alice"]).post(move, {}).status_code == 404


def test_it_runs_the_horizon_and_reminder_jobs_from_the_scheduler(people: dict[str, Any]) -> None:
    from peerhaven.core.scheduler import collect_jobs

    jobs = {job.name: job for job in collect_jobs()}
    assert jobs["groups.extend_meeting_horizon"].every == "daily"
    assert jobs["groups.send_meeting_reminders"].every == "hourly"
    soon = dt.date.today() + dt.timedelta(days=1)
    series = series_create(actor=people["facilitator"], group=people["group"], plan=SeriesPlan(
        rule="FREQ=DAILY", starts_on=soon, start_time=dt.time(12, 0), duration_minutes=30))
    series.meetings.all().delete()
    MeetingSeries.objects.filter(pk=series.pk).update(materialised_until=None)
    assert jobs["groups.extend_meeting_horizon"].task.call() >= 80
    from django.utils import timezone

    due = Meeting.objects.filter(series=series, starts_at__lte=timezone.now() + dt.timedelta(hours=24)).count()
    assert jobs["groups.send_meeting_reminders"].task.call() == due
    assert jobs["groups.send_meeting_reminders"].task.call() == 0
