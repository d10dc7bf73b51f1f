"""The in-memory channel layer used without Redis (one process: development, the browser tests,
small single-node installs), with two costs of a broadcast taken out of Channels' own.

- Channels sweeps expired messages at every `receive` and `group_send`, looking at every channel
  that has a message waiting: during a broadcast to N sockets all N have one, so the N receives
  cost N^2 steps. Messages expire after 60 seconds; sweeping at most once a second changes when
  an expired message is dropped by at most that second, not whether.
- `group_send` made one task per member channel and waited for them all, although putting a
  message on an in-memory queue has nothing to wait for. Here it is put on each queue in turn,
  in the group's order, still copied for each receiver and still dropped for a full channel.

Nothing else differs: capacities, expiry, and the removal of a channel whose message expired from
every group (so a consumer that stops reading stops being sent to) are Channels' own.
"""

from __future__ import annotations

import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_INTERVAL_SECONDS = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._swept_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL_SECONDS:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"  # noqa: S101 - Channels' own check
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            try:
                await self.send(channel, message)
            except ChannelFull:
                pass
