"""Busy times from a supporter's own calendar: recurring, all-day and zoned events become busy
intervals (titles never kept), a malformed feed or a private address leaves a kind status and
the previous busy times, and the fetch refuses private addresses, redirects to them, and feeds
that are too large. A local HTTP server serves the fixture: no network."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import sign_in
from peerhaven.support.models import (
    CalendarImport,
    CalendarImportStatus,
    ExternalBusy,
    SupporterProfile,
)
from peerhaven.support.selectors.booking import open_slots
from peerhaven.support.services.matching import (
    FeedError,
    calendar_import_refresh,
    fetch_feed,
    parse_busy,
)
from peerhaven.support.tests.grid_matching import make_supporter

FIXTURE = (Path(__file__).parent / "fixtures" / "matching_busy.ics").read_bytes()
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
WINDOW = (dt.datetime(2027, 3, 1, tzinfo=dt.UTC), dt.datetime(2027, 5, 1, tzinfo=dt.UTC))
NOW = dt.datetime(2027, 3, 15, 8, 0, tzinfo=dt.UTC)


def _utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_it_expands_recurring_all_day_and_zoned_events() -> None:
    busy = [(item.starts_at, item.ends_at) for item in parse_busy(FIXTURE, zone=MADRID, window=WINDOW)]
    assert busy == [
        (_utc(2027, 3, 18, 8), _utc(2027, 3, 18, 10)),  # weekly 09:00 Madrid, winter time (UTC+1)
        (_utc(2027, 3, 21, 23), _utc(2027, 3, 22, 23)),  # all-day on 22 March, Madrid midnights
        (_utc(2027, 3, 23, 14), _utc(2027, 3, 23, 14, 30)),  # a UTC event
        (_utc(2027, 3, 25, 8), _utc(2027, 3, 25, 10)),
        (_utc(2027, 3, 25, 11), _utc(2027, 3, 25, 12)),  # a floating time, read in the calendar's zone
        # 1 April is an EXDATE; on 8 April the occurrence moved to 15:00 (RECURRENCE-ID).
        (_utc(2027, 4, 8, 13), _utc(2027, 4, 8, 14)),
        (_utc(2027, 4, 15, 7), _utc(2027, 4, 15, 9)),  # summer time (UTC+2) after 28 March; UNTIL keeps it the last
    ]


def test_it_keeps_busy_times_within_the_window_and_skips_free_and_cancelled() -> None:
    busy = parse_busy(FIXTURE, zone=MADRID, window=(_utc(2027, 3, 24), _utc(2027, 3, 25, 9)))
    # The transparent (free) block and the cancelled event on 24 March are not busy; the
    # occurrence on 25 March is cut at the window's end.
    assert [(item.starts_at, item.ends_at) for item in busy] == [(_utc(2027, 3, 25, 8), _utc(2027, 3, 25, 9))]


@pytest.mark.parametrize("data", [b"", b"not a calendar", b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:nonsense\nEND:VEVENT\nEND:VCALENDAR", b"\xff\xfe\x00garbage"])
def test_it_calls_a_malformed_feed_invalid(data: bytes) -> None:
    with pytest.raises(FeedError) as failure:
        parse_busy(data, zone=MADRID, window=WINDOW)
    assert failure.value.status == CalendarImportStatus.INVALID


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.routes = {
        "/busy.ics": (200, {"Content-Type": "text/calendar"}, FIXTURE),
        "/broken.ics": (200, {"Content-Type": "text/calendar"}, b"this is not a calendar"),
        "/moved.ics": (302, {"Location": "/busy.ics"}, b""),
        "/to-private.ics": (302, {"Location": "http://10.20.30.40/busy.ics"}, b""),
        "/to-metadata.ics": (302, {"Location": "http://169.254.169.254/latest/meta-data"}, b""),
        "/huge.ics": (200, {}, b"BEGIN:VCALENDAR\r\n" + b"X" * (2 * 1024 * 1024 + 10)),
        "/gone.ics": (404, {}, b""),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/busy.ics", "http://localhost/busy.ics", "http://10.0.0.8/busy.ics", "http://192.168.1.1/x.ics",
    "http://169.254.169.254/latest/meta-data", "http://[::1]/busy.ics", "http://[fe80::1]/busy.ics",
    "http://0.0.0.0/busy.ics", "file:///etc/passwd", "ftp://example.com/busy.ics", "http://user:pw@example.com/x.ics",
    "gopher://127.0.0.1/", "http:///nohost",
])
def test_it_refuses_private_addresses_and_other_schemes(url: str) -> None:
    with pytest.raises(FeedError) as failure:
        fetch_feed(url)
    assert failure.value.status == CalendarImportStatus.REFUSED


@override_settings(SUPPORT_ICS_ALLOW_LOOPBACK=True)
def test_it_fetches_a_feed_and_follows_a_safe_redirect(feed_server: str) -> None:
    assert fetch_feed(f"{feed_server}/busy.ics") == FIXTURE
    assert fetch_feed(f"{feed_server}/moved.ics") == FIXTURE


@override_settings(SUPPORT_ICS_ALLOW_LOOPBACK=True)
@pytest.mark.parametrize(("path", "status"), [
    ("/to-private.ics", CalendarImportStatus.REFUSED),
    ("/to-metadata.ics", CalendarImportStatus.REFUSED),
    ("/huge.ics", CalendarImportStatus.TOO_LARGE),
    ("/gone.ics", CalendarImportStatus.UNREACHABLE),
])
def test_it_refuses_redirects_to_private_addresses_and_oversized_feeds(feed_server: str, path: str, status: str) -> None:
    with pytest.raises(FeedError) as failure:
        fetch_feed(feed_server + path)
    assert failure.value.status == status


@pytest.mark.django_db
@override_settings(SUPPORT_ICS_ALLOW_LOOPBACK=True)
def test_it_replaces_busy_times_and_records_the_status(feed_server: str) -> None:
    supporter = make_supporter(time_zone="Europe/Madrid", ics_feed_url=f"{feed_server}/busy.ics")
    stale = ExternalBusy.objects.create(supporter=supporter, starts_at=_utc(2027, 3, 16, 8), ends_at=_utc(2027, 3, 16, 9))
    assert calendar_import_refresh(supporter_id=supporter.pk, now=NOW) == CalendarImportStatus.OK
    rows = list(ExternalBusy.objects.filter(supporter=supporter).order_by("starts_at").values_list("starts_at", "ends_at"))
    assert not ExternalBusy.objects.filter(pk=stale.pk).exists()
    assert rows[0] == (_utc(2027, 3, 18, 8), _utc(2027, 3, 18, 10))
    assert (_utc(2027, 4, 15, 7), _utc(2027, 4, 15, 9)) in rows
    record = CalendarImport.objects.get(supporter=supporter)
    assert record.status == CalendarImportStatus.OK and record.busy_count == len(rows) and record.last_success_at == NOW
    # Privacy: nothing from the events but their times is stored anywhere in the row.
    for field in ExternalBusy._meta.concrete_fields:
        for value in ExternalBusy.objects.filter(supporter=supporter).values_list(field.attname, flat=True):
            assert "Secretname" not in str(value) and "Clinic" not in str(value)

    # The imported times are busy for the slot engine.
    slots = open_slots(supporter, now=NOW, start=_utc(2027, 3, 18, 7), end=_utc(2027, 3, 18, 11))
    assert all(not (_utc(2027, 3, 18, 8) - dt.timedelta(minutes=50) < slot.starts_at < _utc(2027, 3, 18, 10)) for slot in slots)
    assert any(slot.starts_at == _utc(2027, 3, 18, 10) for slot in slots)

    # A broken feed keeps the last good busy times and says so to the supporter.
    SupporterProfile.objects.filter(pk=supporter.pk).update(ics_feed_url=f"{feed_server}/broken.ics")
    later = NOW + dt.timedelta(hours=1)
    assert calendar_import_refresh(supporter_id=supporter.pk, now=later) == CalendarImportStatus.INVALID
    assert ExternalBusy.objects.filter(supporter=supporter).count() == len(rows)
    record.refresh_from_db()
    assert record.status == CalendarImportStatus.INVALID and record.last_attempt_at == later and record.last_success_at == NOW

    supporter.refresh_from_db()
    client = sign_in(Client(), supporter.user)
    page = client.get(reverse("support:calendar_import"))
    assert page.status_code == 200
    assert "The calendar could not be read" in page.content.decode()


@pytest.mark.django_db
def test_it_records_a_refused_private_address() -> None:
    supporter = make_supporter(ics_feed_url="http://192.168.0.10/calendar.ics")
    assert calendar_import_refresh(supporter_id=supporter.pk) == CalendarImportStatus.REFUSED
    assert CalendarImport.objects.get(supporter=supporter).status == CalendarImportStatus.REFUSED
    assert "This address cannot be used" in sign_in(Client(), supporter.user).get(reverse("support:calendar_import")).content.decode()


@pytest.mark.django_db
@override_settings(SUPPORT_ICS_ALLOW_LOOPBACK=True)
def test_it_refreshes_from_the_schedule_and_on_request(feed_server: str) -> None:
    from peerhaven.support.tasks import SCHEDULE, refresh_calendar_feeds

    assert ("support.refresh_calendar_feeds", "hourly", refresh_calendar_feeds) in SCHEDULE
    with_feed = make_supporter(ics_feed_url=f"{feed_server}/busy.ics")
    without = make_supporter()
    refresh_calendar_feeds.enqueue()
    assert CalendarImport.objects.get(supporter=with_feed).status == CalendarImportStatus.OK
    assert not CalendarImport.objects.filter(supporter=without).exists()
    response = sign_in(Client(), with_feed.user).post(reverse("support:calendar_import_refresh"))
    assert response.status_code == 302
    assert CalendarImport.objects.get(supporter=with_feed).last_attempt_at is not None
