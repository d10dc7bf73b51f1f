"""Blocks made or lifted elsewhere (safety) reach open sockets at once: both members' sockets
re-read their blocks, so that blocked members stop seeing and hearing each other in a room
without waiting for the periodic check. Safety's block services send no event of their own; this is
the one place live listens to another app's model (decision 0008)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from peerhaven.accounts.services import member_group

BLOCKS_CHANGED_EVENT = "member.blocks_changed"


def _push(user_ids: tuple[int, ...]) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in user_ids:
        async_to_sync(layer.group_send)(member_group(user_id), {"type": BLOCKS_CHANGED_EVENT})


def _block_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("created") is False:
        return  # an update of an existing block changes nobody's view
    # robust: the block itself stands; an unreachable channel layer only delays its effect on
    # open sockets until the periodic check re-reads blocks.
    transaction.on_commit(partial(_push, (instance.blocker_id, instance.blocked_id)), robust=True)


def connect() -> None:
    from peerhaven.safety.models import Block

    post_save.connect(_block_changed, sender=Block, dispatch_uid="live.block_saved")
    post_delete.connect(_block_changed, sender=Block, dispatch_uid="live.block_deleted")
