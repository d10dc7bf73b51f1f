"""The mesh limit under load: people entering a video room at the same moment never make it more
than eight (PostgreSQL, real threads; the room row is the lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from peerhaven.accounts.tests.factories import make_member
from peerhaven.live import services
from peerhaven.live.models import VideoRoomPresence
from peerhaven.live.tests.room_kind import SPECS, make_room
from peerhaven.live.video import MESH_MAX_PARTICIPANTS

PEOPLE = 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no race to test")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_never_lets_more_than_eight_into_a_mesh_at_once() -> None:
    people = [make_member(verified=True) for _person in range(PEOPLE)]
    spec = make_room(people)
    barrier = threading.Barrier(PEOPLE)
    outcomes: list[str] = []
    lock = threading.Lock()

    def enter(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            try:
                services.video_room_enter(member=people[index], spec=spec, peer_id=f"{index:016x}", channel_name=f"c{index}")
                outcome = "in"
            except services.VideoRoomFull:
                outcome = "full"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(index,)) for index in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    SPECS.clear()
    assert sorted(outcomes) == sorted(["in"] * MESH_MAX_PARTICIPANTS + ["full"] * (PEOPLE - MESH_MAX_PARTICIPANTS))
    assert VideoRoomPresence.objects.count() == MESH_MAX_PARTICIPANTS
