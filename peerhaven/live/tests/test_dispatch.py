"""The consumers' dispatching loop and the in-memory layer's copy of an event."""

from __future__ import annotations

import asyncio
from copy import deepcopy
from typing import Any

import pytest

from peerhaven.live import layers
from peerhaven.live.consumers import _dispatch_from
from peerhaven.live.layers import InMemoryChannelLayer, _copy


class Stop(Exception):
    pass


@pytest.mark.asyncio
async def test_it_dispatches_each_source_in_order_one_message_at_a_time() -> None:
    first: asyncio.Queue[Any] = asyncio.Queue()
    second: asyncio.Queue[Any] = asyncio.Queue()
    seen: list[Any] = []
    busy = False

    async def dispatch(message: Any) -> None:
        nonlocal busy
        assert not busy  # never two at once
        busy = True
        await asyncio.sleep(0)
        seen.append(message)
        busy = False
        if message == "stop":
            raise Stop

    for item in ("a1", "a2", "a3"):
        first.put_nowait(item)
    second.put_nowait("b1")
    task = asyncio.ensure_future(_dispatch_from((first.get, second.get), dispatch))
    await asyncio.sleep(0.05)
    second.put_nowait("stop")
    with pytest.raises(Stop):
        await task
    assert [item for item in seen if item.startswith("a")] == ["a1", "a2", "a3"]
    assert sorted(seen) == ["a1", "a2", "a3", "b1", "stop"]


@pytest.mark.asyncio
async def test_it_leaves_waiting_messages_with_their_source_while_a_handler_runs() -> None:
    source: asyncio.Queue[Any] = asyncio.Queue()
    release = asyncio.Event()

    async def dispatch(message: Any) -> None:
        await release.wait()

    for item in range(10):
        source.put_nowait(item)
    task = asyncio.ensure_future(_dispatch_from((source.get,), dispatch))
    await asyncio.sleep(0.05)
    # One message in the handler, none taken ahead: the rest are still in the source.
    assert source.qsize() == 9
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_it_raises_an_error_of_a_source() -> None:
    async def broken() -> Any:
        raise RuntimeError("the layer went away")

    async def never() -> Any:
        await asyncio.Event().wait()

    async def dispatch(message: Any) -> None:
        raise AssertionError("nothing to dispatch")

    with pytest.raises(RuntimeError, match="went away"):
        await asyncio.wait_for(_dispatch_from((never, broken), dispatch), timeout=5)


def test_its_copy_of_an_event_is_a_deep_copy() -> None:
    event = {"type": "chat.message", "frame": "{}", "author_id": 3, "warnings": [{"start": 0, "end": 4}],
             "nested": {"ok": True, "none": None, "ratio": 0.5}, "pair": (1, [2])}
    copied = _copy(event)
    assert copied == deepcopy(event)
    copied["warnings"][0]["start"] = 99
    copied["pair"][1].append(3)
    assert event["warnings"][0]["start"] == 0
    assert event["pair"] == (1, [2])


@pytest.mark.asyncio
async def test_the_layer_delivers_a_copy_to_each_member_of_a_group() -> None:
    layer = InMemoryChannelLayer()
    names = [await layer.new_channel() for _ in range(3)]
    for name in names:
        await layer.group_add("room", name)
    event = {"type": "chat.message", "warnings": []}
    await layer.group_send("room", event)
    received = [await layer.receive(name) for name in names]
    assert received == [event] * 3
    received[0]["warnings"].append("x")
    assert received[1]["warnings"] == [] and event["warnings"] == []
    assert layer.channels == {}  # emptied queues are let go, as in Channels


@pytest.mark.asyncio
async def test_a_large_group_send_gives_the_loop_turns_and_keeps_each_members_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layers, "GROUP_SEND_STEP", 5)
    layer = InMemoryChannelLayer()
    names = [await layer.new_channel() for _ in range(40)]
    for name in names:
        await layer.group_add("room", name)
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    worker = asyncio.ensure_future(other_work())
    await asyncio.sleep(0)
    before = turns
    await asyncio.gather(*(layer.group_send("room", {"type": "n", "n": n}) for n in range(3)))
    worker.cancel()
    assert turns - before >= 3 * 40 // 5 - 1  # a turn for other work after every few members
    for name in names:
        assert [(await layer.receive(name))["n"] for _ in range(3)] == [0, 1, 2]
    # A member that leaves while the others are being served gets nothing more.
    leaving = asyncio.ensure_future(layer.group_discard("room", names[-1]))  # runs at the first turn
    await layer.group_send("room", {"type": "n", "n": 3})
    assert leaving.done()
    assert names[-1] not in layer.channels
    assert (await layer.receive(names[-2]))["n"] == 3
    assert layer._sending == {}
