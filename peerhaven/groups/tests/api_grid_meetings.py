"""API-grid expectations: recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues.

The owner is the facilitator of the group; every other caller is outside it and gets a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import Operation, member_op, verified_op


def _group_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.tests.grid_meetings import make_group

    return {"group_id": make_group(owner).pk}


def _meeting_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.tests.grid_meetings import make_group, make_meeting

    return {"meeting_id": make_meeting(make_group(owner)).pk}


def _started_meeting_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.tests.grid_meetings import make_group, make_meeting

    return {"meeting_id": make_meeting(make_group(owner), starts_in=-dt.timedelta(minutes=5)).pk}


OPERATIONS: list[Operation] = [
    Operation("get", "/api/v1/groups/{group_id}/meetings", verified_op(404), TokenScope.GROUPS_READ,
              make_path=_group_of),
    Operation("get", "/api/v1/group-meetings/upcoming", verified_op(200), TokenScope.GROUPS_READ),
    Operation("get", "/api/v1/group-meetings/{meeting_id}", verified_op(404), TokenScope.GROUPS_READ,
              make_path=_meeting_of),
    Operation("put", "/api/v1/group-meetings/{meeting_id}/rsvp", verified_op(404), TokenScope.GROUPS_WRITE,
              make_path=_meeting_of, body={"response": "going"}),
    Operation("get", "/api/v1/group-meetings/{meeting_id}/attendance", verified_op(404), TokenScope.GROUPS_READ,
              make_path=_started_meeting_of),
    Operation("put", "/api/v1/group-meetings/{meeting_id}/attendance", verified_op(404), TokenScope.GROUPS_WRITE,
              make_path=_started_meeting_of, body={"entries": []}),
    Operation("get", "/api/v1/me/group-attendance", member_op(200), TokenScope.GROUPS_READ),
]
