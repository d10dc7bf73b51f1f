"""Video rooms belong to something else: a T4T booking, a group meeting, a check-in, a meetup.

The owning app implements one small interface and registers it in its AppConfig.ready():

    from peerhaven.live.rooms import RoomSpec, register_room_kind
    register_room_kind("support.booking", booking_room_spec)

where `booking_room_spec(ref: str) -> RoomSpec | None` describes the room of one object (None when
it does not exist). The live app owns everything else: the room page at `room_url(kind, ref)`, who
may enter (`live.policies.may_enter_room`: a participant, from ENTRY_BEFORE before the start until
ENTRY_AFTER after the end), join tokens, signalling and the crisis banner. Owners never decide
entry themselves, so every room follows one rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ENTRY_BEFORE = dt.timedelta(minutes=10)
ENTRY_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class RoomSpec:
    """What the live app needs to know about one room; nothing about why people meet."""

    kind: str
    ref: str
    title: StrOrPromise  # neutral ("Peerhaven session"): shown in the room and the browser tab
    starts_at: dt.datetime
    ends_at: dt.datetime
    participant_ids: frozenset[int]
    host_ids: frozenset[int] = field(default_factory=frozenset)  # may use host controls
    back_url: str = "/home/"  # where "Leave" goes
    # Larger than a mesh can carry: the room hands out a link to the configured Jitsi Meet
    # instance instead (the platform still decides who gets it).
    external: bool = False
    # The owner says the room is over before its time (a cancelled booking, an ended meetup):
    # nobody may enter any more.
    closed: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def opens_at(self) -> dt.datetime:
        return self.starts_at - ENTRY_BEFORE

    @property
    def closes_at(self) -> dt.datetime:
        return self.ends_at + ENTRY_AFTER


RoomResolver = Callable[[str], "RoomSpec | None"]
_RESOLVERS: dict[str, RoomResolver] = {}


def register_room_kind(kind: str, resolver: RoomResolver) -> None:
    if kind in _RESOLVERS and _RESOLVERS[kind] is not resolver:
        raise ValueError(f"room kind {kind!r} is registered twice")
    _RESOLVERS[kind] = resolver


def room_kinds() -> tuple[str, ...]:
    return tuple(sorted(_RESOLVERS))


def room_spec(kind: str, ref: str) -> RoomSpec | None:
    resolver = _RESOLVERS.get(kind)
    return resolver(ref) if resolver is not None else None


def room_url(kind: str, ref: str | int) -> str:
    return reverse("live:room", kwargs={"kind": kind, "ref": str(ref)})


def room_changed(kind: str, ref: str | int) -> None:
    """Owners call this inside the transaction that changes who may be in a room (a cancelled
    booking, a member who left a group): after commit, every open socket of the room re-checks
    entry and those who may no longer be there are cut off at once."""
    from functools import partial

    from django.db import transaction

    from peerhaven.live.video import room_recheck_push

    transaction.on_commit(partial(room_recheck_push, f"{kind}:{ref}"))
