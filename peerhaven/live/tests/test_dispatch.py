"""The consumers' dispatching loop and the in-memory layer's copy of an event."""

from __future__ import annotations

import asyncio
from copy import deepcopy
from typing import Any

import pytest

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
    # One message in the handler, at most two taken ahead: the rest are still in the source.
    assert source.qsize() == 7
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
