"""Meeting pages: a constant number of queries as meetings, answers and agenda items grow, and
calendar files that say nothing about the group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.services.meetings import (
    SeriesPlan,
    agenda_item_add,
    agenda_volunteer,
    meeting_cancel,
    meeting_move,
    rsvp_set,
    series_create,
)
from peerhaven.groups.tests.grid_meetings import make_group, make_meeting


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    facilitator = make_member(verified=True)
    alice = make_member(verified=True)
    bob = make_member(verified=True)
    return {"facilitator": facilitator, "alice": alice, "bob": bob,
            "group": make_group(facilitator, members=(alice, bob), name="Grief and loss peers")}


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(people: dict[str, Any], meetings: int) -> Any:
    last = None
    for index in range(meetings):
        last = make_meeting(people["group"], starts_in=dt.timedelta(days=index + 1))
        for person in (people["alice"], people["bob"]):
            rsvp_set(actor=person, meeting=last, response="going")
        agenda_item_add(actor=people["facilitator"], meeting=last, title=f"Item {index}", minutes=10,
                        presenter=people["alice"])
        agenda_volunteer(actor=people["bob"], meeting=last, title=f"Case {index}")
        make_meeting(people["group"], starts_in=-dt.timedelta(days=index + 1))
    return last


@pytest.mark.parametrize("viewer", ["facilitator", "alice"])
def test_it_keeps_the_meeting_list_queries_constant(people: dict[str, Any], viewer: str) -> None:
    client = sign_in(Client(), people[viewer])
    url = reverse("groups:meeting_list", kwargs={"pk": people["group"].pk})
    _grow(people, 2)
    few = _queries(client, url)
    _grow(people, 8)
    many = _queries(client, url)
    assert many == few, (few, many)
    assert many <= 20


@pytest.mark.parametrize("viewer", ["facilitator", "alice"])
def test_it_keeps_the_meeting_page_queries_constant(people: dict[str, Any], viewer: str) -> None:
    client = sign_in(Client(), people[viewer])
    meeting = make_meeting(people["group"])
    url = reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})
    agenda_item_add(actor=people["facilitator"], meeting=meeting, title="Opening", minutes=5, presenter=people["bob"])
    agenda_volunteer(actor=people["bob"], meeting=meeting, title="Case one")
    few = _queries(client, url)
    for index in range(8):
        agenda_item_add(actor=people["facilitator"], meeting=meeting, title=f"Item {index}", minutes=5,
                        presenter=people["alice"] if index % 2 else people["bob"])
    agenda_volunteer(actor=people["alice"], meeting=meeting, title="Case two")
    rsvp_set(actor=people["alice"], meeting=meeting, response="maybe")
    many = _queries(client, url)
    assert many == few, (few, many)
    assert many <= 40


def test_it_keeps_the_upcoming_list_queries_constant(people: dict[str, Any]) -> None:
    client = sign_in(Client(), people["alice"])
    url = reverse("groups:meeting_upcoming")
    _grow(people, 2)
    few = _queries(client, url)
    other = make_group(people["facilitator"], members=(people["alice"],), name="Second group")
    for index in range(6):
        make_meeting(other, starts_in=dt.timedelta(days=index + 1))
    assert _queries(client, url) == few


def test_it_writes_a_neutral_calendar_entry_for_one_meeting(people: dict[str, Any]) -> None:
    meeting = make_meeting(people["group"])
    response = sign_in(Client(), people["alice"]).get(reverse("groups:meeting_ics", kwargs={"pk": meeting.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Grief" not in body and "loss" not in body
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Peerhaven group meeting"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == meeting.ends_at.replace(microsecond=0)
    assert str(event["URL"]).endswith(reverse("groups:meeting_detail", kwargs={"pk": meeting.pk}))
    meeting_cancel(actor=people["facilitator"], meeting=meeting)
    cancelled = sign_in(Client(), people["alice"]).get(reverse("groups:meeting_ics", kwargs={"pk": meeting.pk}))
    event = next(iter(Calendar.from_ical(cancelled.content).walk("VEVENT")))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_it_writes_the_series_with_its_zone_exceptions_and_overrides(people: dict[str, Any]) -> None:
    import zoneinfo

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    facilitator = people["facilitator"]
    starts_on = dt.date.today() + dt.timedelta(days=3)
    series = series_create(actor=facilitator, group=people["group"], plan=SeriesPlan(
        rule="FREQ=WEEKLY;BYDAY=MO,TH", starts_on=starts_on, start_time=dt.time(18, 0), duration_minutes=90,
        count=8,
    ))
    meetings = list(series.meetings.order_by("starts_at"))
    meeting_cancel(actor=facilitator, meeting=meetings[1])
    meeting_move(actor=facilitator, meeting=meetings[2], starts_at=meetings[2].starts_at + dt.timedelta(hours=2))
    response = sign_in(Client(), people["bob"]).get(reverse("groups:meeting_series_ics", kwargs={"pk": series.pk}))
    assert response.status_code == 200
    assert b"Grief" not in response.content
    calendar = Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = list(calendar.walk("VEVENT"))
    master = next(e for e in events if "RRULE" in e)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["COUNT"] == [8]
    start = master.decoded("DTSTART")
    assert start == meetings[0].starts_at and start.tzinfo is not None and start.utcoffset() == meetings[0].starts_at.astimezone(berlin).utcoffset()
    assert str(master["SUMMARY"]) == "Peerhaven group meeting"
    exdate = master["EXDATE"]
    exdates = [d.dt for group in (exdate if isinstance(exdate, list) else [exdate]) for d in group.dts]
    assert exdates == [meetings[1].occurrence_start]
    override = next(e for e in events if "RECURRENCE-ID" in e)
    assert override.decoded("RECURRENCE-ID") == meetings[2].occurrence_start
    assert override.decoded("DTSTART") == meetings[2].starts_at + dt.timedelta(hours=2)
    assert str(override["UID"]) == str(master["UID"])


def test_it_hides_calendars_from_non_members(people: dict[str, Any]) -> None:
    meeting = make_meeting(people["group"])
    outsider = sign_in(Client(), make_member(verified=True))
    assert outsider.get(reverse("groups:meeting_ics", kwargs={"pk": meeting.pk})).status_code == 404
