"""API-grid expectations for live's video-room operations (the meetup operations are listed in
peerhaven/api/tests/test_api_grid.py, which predates per-app grids)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import Operation, verified_op


def _meetup_room_of(owner: Any) -> dict[str, Any]:
    from peerhaven.live.selectors import MEETUP_ROOM_KIND
    from peerhaven.live.services import meetup_create

    start = timezone.now() + dt.timedelta(minutes=5)
    meetup = meetup_create(actor=owner, title="Grid circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=8)
    return {"kind": MEETUP_ROOM_KIND, "ref": str(meetup.pk)}


OPERATIONS = [
    # A room's join token: its participants only (the host here); everyone else gets a 404.
    Operation("post", "/api/v1/rooms/{kind}/{ref}/token", verified_op(404), TokenScope.LIVE_WRITE,
              make_path=_meetup_room_of),
]
