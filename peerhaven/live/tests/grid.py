"""Permission-grid expectations for live's routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerhaven.core.tests.grid_rules import Route, role, verified


def _meetup_hosted_by(owner: Any) -> dict[str, Any]:
    from peerhaven.live.services import meetup_create

    start = timezone.now() + dt.timedelta(minutes=5)
    meetup = meetup_create(actor=owner, title="Grid circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=20)
    return {"pk": meetup.pk}


def _meetup_video_room_hosted_by(owner: Any) -> dict[str, Any]:
    from peerhaven.live.selectors import MEETUP_ROOM_KIND

    return {"kind": MEETUP_ROOM_KIND, "ref": str(_meetup_hosted_by(owner)["pk"])}


# Who is outside the room (not registered) gets a 404; the unverified get the kind 403 page.
_ROOM = verified(404)

ROUTES = [
    Route("live:meetup_list", verified(200)),
    Route("live:meetup_create", role("staff", "facilitator")),
    Route("live:meetup_detail", verified(200), make_kwargs=_meetup_hosted_by, owner_status=200),
    Route("live:meetup_register", verified(302), make_kwargs=_meetup_hosted_by, owner_status=302, method="post"),
    Route("live:meetup_room", _ROOM, make_kwargs=_meetup_hosted_by, owner_status=200),
    # A video room: its participants only (the host here), whatever the kind; others get a 404.
    Route("live:room", _ROOM, make_kwargs=_meetup_video_room_hosted_by, owner_status=200),
    Route("live:settings", role("staff")),
]
