"""A room's presence list is sent at most once per interval: the first change at once, the
changes that follow within the interval folded into one snapshot read when it is sent, and the
room's events leave in the order they were handed over."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from peerhaven.live import services

# The snapshot is read through database_sync_to_async, which tidies the database thread's connection.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class _Layer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, event: dict[str, Any]) -> None:
        self.sent.append((group, event))


async def _until(condition: Any) -> None:
    for _attempt in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> _Layer:
    fake = _Layer()
    monkeypatch.setattr(services, "get_channel_layer", lambda: fake)
    monkeypatch.setattr(services, "PRESENCE_INTERVAL_SECONDS", 0.3)
    return fake


async def test_changes_within_the_interval_make_one_more_snapshot(layer: _Layer, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []

    def snapshot(meetup_id: int) -> list[dict[str, Any]]:
        reads.append(meetup_id)
        return [{"read": len(reads)}]

    monkeypatch.setattr(services, "_presence_snapshot", snapshot)
    for _change in range(5):  # five joins in a row
        services._presence_request(41)
    await _until(lambda: len(layer.sent) == 2)
    await asyncio.sleep(0.6)  # two intervals: nothing else was pending
    assert [event for _group, event in layer.sent] == [
        {"type": "room.presence", "participants": [{"read": 1}]},
        {"type": "room.presence", "participants": [{"read": 2}]},
    ]
    assert {group for group, _event in layer.sent} == {services.room_group(41)}
    assert reads == [41, 41]


async def test_rooms_are_coalesced_separately_and_a_gone_meetup_sends_nothing(
    layer: _Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_presence_snapshot", lambda meetup_id: None if meetup_id == 52 else [{"room": meetup_id}])
    services._presence_request(51)
    services._presence_request(52)
    services._presence_request(53)
    await _until(lambda: len(layer.sent) == 2)
    await asyncio.sleep(0.4)
    assert sorted(group for group, _event in layer.sent) == [services.room_group(51), services.room_group(53)]


async def test_events_leave_in_the_order_they_were_handed_over(layer: _Layer) -> None:
    for number in range(20):
        services._outbox_put(layer, "live.meetup.9", {"type": "chat.hidden", "message_id": number})
    await _until(lambda: len(layer.sent) == 20)
    assert [event["message_id"] for _group, event in layer.sent] == list(range(20))
