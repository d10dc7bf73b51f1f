"""Fifty members race for one supporter's time over HTTP (PostgreSQL, real threads, one database
connection each): exactly one booking, every other attempt a kind 409, no 5xx, one row. Also the
database's own guard: the exclusion constraint refuses an overlap the service never checked."""

from __future__ import annotations

import datetime as dt
import os
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from conftest import need_postgres, sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.support.models import Booking
from peerhaven.support.selectors.booking import open_slots
from peerhaven.support.tests.grid_booking import make_supporter

ATTEMPTS = 50

# Skipped before any database set-up on SQLite (a serialized rollback there has nothing to race
# and only costs time); CI runs them again on PostgreSQL, where _need_postgres lets them through.
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: simultaneous bookings (SQLite serialises writers: no race to test)",
)


def _need_postgres() -> None:
    if connection.vendor != "postgresql":
        need_postgres("simultaneous bookings (SQLite serialises writers: no race to test)")


def _race(supporter: Any, attempts: list[tuple[dt.datetime, int]]) -> list[int]:
    clients = [sign_in(Client(), make_member(verified=True)) for _attempt in attempts]
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        starts_at, length = attempts[index]
        try:
            barrier.wait(timeout=60)
            response = clients[index].post(
                "/api/v1/support/bookings",
                {"supporter_id": supporter.pk, "starts_at": starts_at.isoformat(), "length_minutes": length},
                content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"race-{index}",
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 409:
                    body = response.json()
                    assert "Someone has just booked this time" in body["detail"]
                    assert isinstance(body["slots"], list)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_members_racing_for_one_slot_make_one_booking() -> None:
    _need_postgres()
    supporter = make_supporter(lengths=(50,), min_notice_minutes=60)
    slot = open_slots(supporter)[0]
    statuses = _race(supporter, [(slot.starts_at, 50)] * ATTEMPTS)
    assert len(statuses) == ATTEMPTS
    assert statuses.count(201) == 1
    assert statuses.count(409) == ATTEMPTS - 1
    assert not [status for status in statuses if status >= 500]
    assert Booking.objects.filter(supporter=supporter).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_slots_of_different_lengths_make_one_booking() -> None:
    _need_postgres()
    supporter = make_supporter(lengths=(30, 50, 90), buffer_minutes=10, min_notice_minutes=60)
    start = open_slots(supporter, lengths=[90])[0].starts_at
    # Every one of these covers start + 30 minutes (buffer included), so any two overlap.
    shapes = [(start, 30), (start, 50), (start, 90), (start + dt.timedelta(minutes=30), 30),
              (start + dt.timedelta(minutes=30), 50)]
    attempts = [shapes[index % len(shapes)] for index in range(ATTEMPTS)]
    statuses = _race(supporter, attempts)
    assert statuses.count(201) == 1
    assert statuses.count(409) == ATTEMPTS - 1
    assert not [status for status in statuses if status >= 500]
    assert Booking.objects.filter(supporter=supporter).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_exclusion_constraint_refuses_overlaps_behind_the_services_back() -> None:
    _need_postgres()
    supporter = make_supporter(lengths=(50, 90))
    seeker = make_member(verified=True)
    start = open_slots(supporter)[0].starts_at

    def row(offset_minutes: int, length: int, status: str = "confirmed") -> Booking:
        begins = start + dt.timedelta(minutes=offset_minutes)
        ends = begins + dt.timedelta(minutes=length)
        return Booking(seeker=seeker, supporter=supporter, starts_at=begins, ends_at=ends,
                       blocked_until=ends + supporter.buffer, length_minutes=length, status=status)

    row(0, 90).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        row(95, 50).save()  # inside the first one's buffer
    row(100, 50).save()  # right after the buffer: fine
    row(10, 50, status="cancelled").save()  # cancelled rows hold no time
    assert Booking.objects.filter(supporter=supporter).count() == 3
