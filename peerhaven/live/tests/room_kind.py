"""A room kind for tests ("test.room"): specs are made by the test and held in memory."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from peerhaven.accounts.models import User
from peerhaven.live.rooms import RoomSpec, register_room_kind

KIND = "test.room"
SPECS: dict[str, RoomSpec] = {}


def resolve_test_room(ref: str) -> RoomSpec | None:
    return SPECS.get(ref)


register_room_kind(KIND, resolve_test_room)


def make_room(
    participants: list[User], *, hosts: list[User] | None = None, starts_in: dt.timedelta = dt.timedelta(minutes=5),
    lasts: dt.timedelta = dt.timedelta(hours=1), **extra: object,
) -> RoomSpec:
    start = timezone.now() + starts_in
    spec = RoomSpec(
        kind=KIND, ref=uuid.uuid4().hex[:12], title="Peerhaven session", starts_at=start, ends_at=start + lasts,
        participant_ids=frozenset(user.pk for user in participants),
        host_ids=frozenset(user.pk for user in hosts or []), **extra,  # type: ignore[arg-type]
    )
    SPECS[spec.ref] = spec
    return spec
