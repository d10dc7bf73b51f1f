"""/api/v1 meetings: the grid for these operations on their own, and what each returns (members
see their own answer and attendance; facilitators see counts and everyone's attendance)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.tests.api_grid_rules import SESSION, TOKEN
from peerhaven.api.tests.conftest import ALL_SCOPES, bearer_for
from peerhaven.api.tests.test_api_grid import _call, _caller
from peerhaven.core.tests.grid_rules import STATES
from peerhaven.groups.models.meetings import MeetingAttendance
from peerhaven.groups.tests.api_grid_meetings import OPERATIONS
from peerhaven.groups.tests.grid_meetings import make_group, make_meeting


@pytest.mark.django_db
def test_it_enforces_the_meetings_api_grid() -> None:
    members: dict[str, Any] = {}
    failures: list[str] = []
    for operation in OPERATIONS:
        for how in (SESSION, TOKEN):
            owner = make_member(verified=True) if operation.make_path else None
            for state in STATES:
                client, headers = _caller(state, how, members)
                path_kwargs = operation.make_path(owner) if operation.make_path else {}
                status = _call(client, operation, path_kwargs, headers)
                if status != operation.expect[how][state]:
                    failures.append(f"{operation.key} as {state} ({how}): expected {operation.expect[how][state]}, got {status}")
            if operation.make_path is not None and owner is not None:
                client = sign_in(Client(), owner) if how == SESSION else Client()
                headers = {} if how == SESSION else bearer_for(owner, ALL_SCOPES)
                status = _call(client, operation, operation.make_path(owner), headers)
                if status != operation.owner_status:
                    failures.append(f"{operation.key} as owner ({how}): expected {operation.owner_status}, got {status}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def trio(db: Any) -> tuple[Any, Any, Any, Any]:
    facilitator = make_member(verified=True)
    alice = make_member(verified=True)
    bob = make_member(verified=True)
    group = make_group(facilitator, members=(alice, bob))
    return group, facilitator, alice, bob


def test_it_lists_a_groups_meetings_with_counts_for_facilitators_only(trio: Any) -> None:
    group, facilitator, alice, _bob = trio
    meeting = make_meeting(group)
    put = sign_in(Client(), alice).put(f"/api/v1/group-meetings/{meeting.pk}/rsvp", {"response": "going"},
                                       content_type="application/json")
    assert put.status_code == 200 and put.json() == {"meeting_id": meeting.pk, "response": "going"}
    as_member = sign_in(Client(), alice).get(f"/api/v1/groups/{group.pk}/meetings").json()
    assert [(m["id"], m["my_rsvp"], m["rsvp_counts"]) for m in as_member] == [(meeting.pk, "going", None)]
    as_facilitator = sign_in(Client(), facilitator).get(f"/api/v1/groups/{group.pk}/meetings").json()
    assert as_facilitator[0]["rsvp_counts"] == {"going": 1, "maybe": 0, "not_going": 0}
    upcoming = sign_in(Client(), alice).get("/api/v1/group-meetings/upcoming").json()
    assert [m["id"] for m in upcoming] == [meeting.pk]


def test_it_refuses_an_unknown_rsvp_answer(trio: Any) -> None:
    group, _facilitator, alice, _bob = trio
    meeting = make_meeting(group)
    response = sign_in(Client(), alice).put(f"/api/v1/group-meetings/{meeting.pk}/rsvp", {"response": "perhaps"},
                                            content_type="application/json")
    assert response.status_code == 422


def test_it_lets_the_facilitator_write_attendance_and_members_read_only_their_own(trio: Any) -> None:
    group, facilitator, alice, bob = trio
    meeting = make_meeting(group, starts_in=-dt.timedelta(minutes=30))
    url = f"/api/v1/group-meetings/{meeting.pk}/attendance"
    body = {"entries": [{"member_id": alice.pk, "status": "present"},
                        {"member_id": bob.pk, "status": "late", "minutes_attended": 60}]}
    assert sign_in(Client(), alice).put(url, body, content_type="application/json").status_code == 403
    assert MeetingAttendance.objects.count() == 0
    written = sign_in(Client(), facilitator).put(url, body, content_type="application/json")
    assert written.status_code == 200 and len(written.json()) == 2
    everyone = sign_in(Client(), facilitator).get(url).json()
    assert {row["member_id"] for row in everyone} == {alice.pk, bob.pk}
    own = sign_in(Client(), bob).get(url).json()
    assert [(row["member_id"], row["status"], row["minutes_attended"]) for row in own] == [(bob.pk, "late", 60)]
    log = sign_in(Client(), bob).get("/api/v1/me/group-attendance").json()
    assert log["total_minutes"] == 60 and log["entries"][0]["group_name"] == group.name


def test_it_refuses_attendance_for_someone_outside_the_group(trio: Any) -> None:
    group, facilitator, _alice, _bob = trio
    outsider = make_member(verified=True)
    meeting = make_meeting(group, starts_in=-dt.timedelta(minutes=30))
    response = sign_in(Client(), facilitator).put(
        f"/api/v1/group-meetings/{meeting.pk}/attendance",
        {"entries": [{"member_id": outsider.pk, "status": "present"}]}, content_type="application/json",
    )
    assert response.status_code == 422
    assert MeetingAttendance.objects.count() == 0
