"""/api/v1 for recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues.

A thin edge over the meetings policies, selectors and services that the pages use. Meetings are
for the group's active members (404 for anyone else); attendance is written by facilitators and
read by them in full, by a member only as their own row; `/me/group-attendance` is the caller's
own CE log. Tokens need groups:read / groups:write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from peerhaven.accounts.models import User
from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.groups.models.meetings import Meeting
from peerhaven.groups.policies.groups import group_inside_get_for_user
from peerhaven.groups.policies.meetings import (
    can_rsvp,
    can_schedule_meetings,
    can_see_rsvp_counts,
    can_take_attendance,
    can_view_attendance,
    can_view_meetings,
    has_acknowledged,
    meeting_get_for_user,
)
from peerhaven.groups.selectors.meetings import (
    attendance_log,
    attendance_sheet,
    group_upcoming_meetings,
    my_attendance,
    my_rsvp,
    my_upcoming_meetings,
    rsvp_counts,
)
from peerhaven.groups.services.meetings import AttendanceEntry, attendance_record, rsvp_set

router = Router(tags=["groups"])


class RsvpCountsOut(Schema):
    going: int
    maybe: int
    not_going: int


class MeetingOut(Schema):
    id: int
    group_id: int
    series_id: int | None
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    moved: bool
    # The caller's own answer ("" when none) and whether they confirmed the agreement for it.
    my_rsvp: str
    # Facilitators only; null for members.
    rsvp_counts: RsvpCountsOut | None = None


class MeetingDetailOut(MeetingOut):
    notice: str
    agreement_acknowledged: bool
    can_rsvp: bool


class RsvpIn(Schema):
    response: Literal["going", "maybe", "not_going"]


class RsvpOut(Schema):
    meeting_id: int
    response: str


class AttendanceOut(Schema):
    meeting_id: int
    member_id: int
    member: str
    status: str
    minutes_attended: int | None
    recorded_at: dt.datetime


class AttendanceEntryIn(Schema):
    member_id: int
    status: Literal["present", "late", "absent"]
    minutes_attended: int | None = None


class AttendanceIn(Schema):
    entries: list[AttendanceEntryIn]


class LogEntryOut(Schema):
    date: dt.datetime
    group_name: str
    group_kind: str
    status: str
    meeting_minutes: int
    credited_minutes: int
    facilitator: str


class AttendanceLogOut(Schema):
    entries: list[LogEntryOut]
    total_minutes: int
    total_hours: str


def _member(request: HttpRequest, *, verified: bool = True) -> User:
    candidate: Any = getattr(request, "auth", None)
    if candidate is not None and not isinstance(candidate, User):
        candidate = getattr(candidate, "user", None)
    if not isinstance(candidate, User):
        candidate = getattr(request, "user", None)
    if not isinstance(candidate, User) or not candidate.is_authenticated:
        raise HttpError(401, _("Please sign in."))
    if not is_active_member(candidate):
        raise HttpError(403, _("This account is suspended."))
    if verified and not is_verified(candidate):
        raise HttpError(403, _("Groups are for verified members."))
    return candidate


def _meeting_out(meeting: Meeting, member: User, *, rsvp: str, counts: dict[str, int] | None) -> dict[str, Any]:
    return {
        "id": meeting.pk, "group_id": meeting.group_id, "series_id": meeting.series_id, "title": meeting.title,
        "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "status": meeting.status,
        "moved": meeting.is_moved, "my_rsvp": rsvp, "rsvp_counts": counts,
    }


def _annotated_counts(meeting: Meeting) -> dict[str, int]:
    return {"going": getattr(meeting, "going_count", 0), "maybe": getattr(meeting, "maybe_count", 0),
            "not_going": getattr(meeting, "not_going_count", 0)}


@router.get("/groups/{group_id}/meetings", response=list[MeetingOut],
            summary="A group's meetings that have not ended (members only)")
def group_meetings(request: HttpRequest, group_id: int) -> list[dict[str, Any]]:
    member = _member(request)
    group = group_inside_get_for_user(member, group_id)
    if not can_view_meetings(member, group):
        raise Http404
    facilitator = can_schedule_meetings(member, group)
    return [
        _meeting_out(meeting, member, rsvp=my_rsvp(meeting), counts=_annotated_counts(meeting) if facilitator else None)
        for meeting in group_upcoming_meetings(group, member)
    ]


@router.get("/group-meetings/upcoming", response=list[MeetingOut],
            summary="My upcoming meetings across all my groups")
def upcoming_meetings(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request)
    return [_meeting_out(meeting, member, rsvp=my_rsvp(meeting), counts=None) for meeting in my_upcoming_meetings(member)]


@router.get("/group-meetings/{meeting_id}", response=MeetingDetailOut, summary="One meeting (members only)")
def meeting_get(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    member = _member(request)
    meeting = meeting_get_for_user(member, meeting_id)
    mine = next(iter(meeting.rsvps.filter(member=member).values_list("response", flat=True)), "")
    counts = rsvp_counts(meeting) if can_see_rsvp_counts(member, meeting) else None
    return {
        **_meeting_out(meeting, member, rsvp=mine, counts=counts),
        "notice": meeting.notice,
        "agreement_acknowledged": has_acknowledged(member, meeting),
        "can_rsvp": can_rsvp(member, meeting),
    }


@router.put("/group-meetings/{meeting_id}/rsvp", response=RsvpOut, summary="Answer going / maybe / not going")
def meeting_rsvp(request: HttpRequest, meeting_id: int, payload: RsvpIn) -> dict[str, Any]:
    member = _member(request)
    meeting = meeting_get_for_user(member, meeting_id)
    rsvp = rsvp_set(actor=member, meeting=meeting, response=payload.response, request=request)
    return {"meeting_id": meeting.pk, "response": rsvp.response}


def _attendance_out(row: Any) -> dict[str, Any]:
    return {
        "meeting_id": row.meeting_id, "member_id": row.member_id, "member": row.member.public_name,
        "status": row.status, "minutes_attended": row.minutes_attended, "recorded_at": row.recorded_at,
    }


@router.get("/group-meetings/{meeting_id}/attendance", response=list[AttendanceOut],
            summary="Attendance at a meeting: everyone's for facilitators, one's own for members")
def meeting_attendance(request: HttpRequest, meeting_id: int) -> list[dict[str, Any]]:
    member = _member(request)
    meeting = meeting_get_for_user(member, meeting_id)
    if can_view_attendance(member, meeting):
        return [_attendance_out(row.record) for row in attendance_sheet(meeting) if row.record is not None]
    own = my_attendance(meeting, member)
    return [_attendance_out(own)] if own is not None else []


@router.put("/group-meetings/{meeting_id}/attendance", response=list[AttendanceOut],
            summary="Record attendance (facilitators, from when the room opens)")
def meeting_attendance_record(request: HttpRequest, meeting_id: int, payload: AttendanceIn) -> list[dict[str, Any]]:
    member = _member(request)
    meeting = meeting_get_for_user(member, meeting_id)
    if not can_take_attendance(member, meeting):
        raise HttpError(403, _("Only a facilitator can take attendance, from when the room opens."))
    rows = attendance_record(
        actor=member, meeting=meeting, request=request,
        entries=[AttendanceEntry(member_id=e.member_id, status=e.status, minutes_attended=e.minutes_attended)
                 for e in payload.entries],
    )
    people = User.objects.select_related("profile").in_bulk([row.member_id for row in rows])
    for row in rows:
        row.member = people[row.member_id]
    return [_attendance_out(row) for row in rows]


@router.get("/me/group-attendance", response=AttendanceLogOut,
            summary="My own attendance log (continuing education): dates, durations, hours")
def my_attendance_log(request: HttpRequest) -> dict[str, Any]:
    member = _member(request, verified=False)
    log = attendance_log(member)
    return {
        "entries": [entry.__dict__ for entry in log.entries],
        "total_minutes": log.total_minutes,
        "total_hours": log.total_hours,
    }
