"""The in-memory channel layer used without Redis (one process: development, the browser tests,
small single-node installs), with two costs of a broadcast taken out of Channels' own.

- Channels sweeps expired messages at every `receive` and `group_send`, looking at every channel
  that has a message waiting: during a broadcast to N sockets all N have one, so the N receives
  cost N^2 steps. Messages expire after 60 seconds; sweeping at most once a second changes when
  an expired message is dropped by at most that second, not whether.
- `group_send` made one task per member channel and waited for them all, although putting a
  message on an in-memory queue has nothing to wait for. Here it is put on each queue in turn,
  in the group's order, still copied for each receiver and still dropped for a full channel.
- Each `send` and `receive` built a new queue (and matched the channel's name against the
  capacity patterns) only to throw it away when the channel already had one; the copy for each
  receiver went through `copy.deepcopy` even for the plain JSON-like events every service sends.
  Here a queue is built only for a channel that has none, and JSON-like values (dicts, lists,
  strings, numbers, booleans, None) are copied by a small function that gives the same result;
  anything else still goes through `deepcopy`.
- A `group_send` to a large group put the message on every member's queue in one go, so every
  member's consumer ran before the event loop polled its sockets again, and nothing was written
  to any socket until the last member had been served. Here the loop gets a turn after every
  GROUP_SEND_STEP members: the first members' frames go out while the rest are being served, and
  other sockets are not held up for the whole broadcast. Two sends to one group still reach every
  member in the order they were sent (they take turns), and a channel that left the group
  meanwhile is skipped.

Nothing else differs: capacities, expiry, and the removal of a channel whose message expired from
every group (so a consumer that stops reading stops being sent to) are Channels' own.
"""

from __future__ import annotations

import asyncio
import time
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_INTERVAL_SECONDS = 1.0
# A group_send gives the event loop a turn after every this many members (see the docstring).
GROUP_SEND_STEP = 10

_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """`deepcopy(value)` for JSON-like values, without its memo; anything else by deepcopy."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()} if all(type(key) is str for key in value) else deepcopy(value)
    if kind is list:
        return [_copy(item) for item in value]
    return deepcopy(value)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._swept_at = float("-inf")
        # group -> (its turn, how many sends hold or wait for it)
        self._sending: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL_SECONDS:
            return
        self._swept_at = now
        super()._clean_expired()

    def _queue(self, channel: str) -> asyncio.Queue[Any]:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, _copy(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"  # noqa: S101 - Channels' own checks
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message  # noqa: S101
        self._put(channel, message)

    async def receive(self, channel: str) -> Any:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _expires, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"  # noqa: S101 - Channels' own check
        self.require_valid_group_name(group)
        self._clean_expired()
        members = list(self.groups.get(group, {}))
        if len(members) <= GROUP_SEND_STEP and group not in self._sending:
            for channel in members:
                self._put_unless_full(channel, message)
            return
        turn, holders = self._sending.setdefault(group, (asyncio.Lock(), [0]))
        holders[0] += 1
        try:
            async with turn:
                members = list(self.groups.get(group, {}))
                for index, channel in enumerate(members):
                    if index and index % GROUP_SEND_STEP == 0:
                        await asyncio.sleep(0)
                    if index >= GROUP_SEND_STEP and channel not in self.groups.get(group, {}):
                        continue  # left the group while others were served
                    self._put_unless_full(channel, message)
        finally:
            holders[0] -= 1
            if not holders[0]:
                del self._sending[group]

    def _put_unless_full(self, channel: str, message: dict[str, Any]) -> None:
        try:
            self._put(channel, message)
        except ChannelFull:
            pass
