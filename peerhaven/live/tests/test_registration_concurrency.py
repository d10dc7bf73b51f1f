"""Seats under load: simultaneous registrations never oversell (PostgreSQL, real threads)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from peerhaven.accounts.tests.factories import make_member
from peerhaven.live.models import Meetup, MeetupRegistration
from peerhaven.live.services import MeetupFull, meetup_create, meetup_register

SEATS = 5
MEMBERS = 16


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no race to test")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_never_oversells_seats_to_simultaneous_registrations() -> None:
    host = make_member(verified=True, roles=("facilitator",))
    start = timezone.now() + dt.timedelta(days=1)
    meetup = meetup_create(actor=host, title="Busy circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=SEATS)
    members = [make_member(verified=True) for _member in range(MEMBERS)]
    barrier = threading.Barrier(MEMBERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(member_index: int) -> None:
        try:
            barrier.wait(timeout=20)
            fresh = Meetup.objects.get(pk=meetup.pk)
            try:
                meetup_register(actor=members[member_index], meetup=fresh)
                outcome = "seated"
            except MeetupFull:
                outcome = "full"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(index,)) for index in range(MEMBERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == sorted(["seated"] * SEATS + ["full"] * (MEMBERS - SEATS))
    seated = MeetupRegistration.objects.filter(meetup=meetup).exclude(member=host).count()
    assert seated == SEATS
