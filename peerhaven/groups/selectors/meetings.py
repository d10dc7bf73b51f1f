"""Reads for a group's meetings: the lists (a group's, and a member's upcoming ones across their
groups), one meeting's page (RSVP counts, agenda with timed slots, presenter queue, attendance
sheet), the member's own attendance log (the CE log), the video room's spec and the privacy export.

Each returns what its page needs with a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.accounts.models import User
from peerhaven.groups.models.groups import Group, Membership, MembershipRole, MembershipStatus
from peerhaven.groups.models.meetings import (
    ATTENDED_STATUSES,
    AgendaItem,
    AgendaItemState,
    Meeting,
    MeetingAgreementAck,
    MeetingAttendance,
    MeetingRsvp,
    MeetingSeries,
    MeetingStatus,
    RsvpResponse,
)

# A mesh call carries this many people well; above it the room hands out the external link.
MESH_LIMIT = 8
ROOM_TITLE = _("Group meeting")
PAST_MEETINGS_SHOWN = 20


def _rsvp_counts() -> dict[str, Count]:
    return {
        "going_count": Count("rsvps", filter=Q(rsvps__response=RsvpResponse.GOING)),
        "maybe_count": Count("rsvps", filter=Q(rsvps__response=RsvpResponse.MAYBE)),
        "not_going_count": Count("rsvps", filter=Q(rsvps__response=RsvpResponse.NOT_GOING)),
    }


def _with_my_rsvp(meetings: QuerySet[Meeting], viewer: Any) -> QuerySet[Meeting]:
    return meetings.prefetch_related(
        Prefetch("rsvps", queryset=MeetingRsvp.objects.filter(member_id=viewer.pk), to_attr="my_rsvps")
    )


def my_rsvp(meeting: Meeting) -> str:
    """The viewer's answer on a meeting loaded through these selectors ('' when none)."""
    rows = getattr(meeting, "my_rsvps", None) or []
    return str(rows[0].response) if rows else ""


def group_upcoming_meetings(group: Group, viewer: Any, *, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """A group's meetings that have not ended, cancelled ones included (marked), with counts."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(group=group, ends_at__gt=now).select_related("series").annotate(**_rsvp_counts())
    return _with_my_rsvp(meetings, viewer).order_by("starts_at", "pk")


def group_past_meetings(group: Group, viewer: Any, *, now: dt.datetime | None = None) -> list[Meeting]:
    now = now or timezone.now()
    meetings = Meeting.objects.filter(group=group, ends_at__lte=now).select_related("series").annotate(**_rsvp_counts())
    return list(_with_my_rsvp(meetings, viewer).order_by("-starts_at", "-pk")[:PAST_MEETINGS_SHOWN])


def group_live_series(group: Group) -> QuerySet[MeetingSeries]:
    return MeetingSeries.objects.filter(group=group, stop_before__isnull=True).order_by("starts_on", "pk")


def my_upcoming_meetings(user: Any, *, now: dt.datetime | None = None, limit: int = 50) -> list[Meeting]:
    """Meetings that have not ended in every group where `user` is an active member."""
    now = now or timezone.now()
    groups = Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE).values("group_id")
    meetings = (
        Meeting.objects.filter(group_id__in=groups, ends_at__gt=now, group__archived_at__isnull=True)
        .select_related("group", "series")
    )
    return list(_with_my_rsvp(meetings, user).order_by("starts_at", "pk")[:limit])


def rsvp_counts(meeting: Meeting) -> dict[str, int]:
    counts = {value: 0 for value in RsvpResponse.values}
    for row in MeetingRsvp.objects.filter(meeting=meeting).values("response").annotate(n=Count("pk")):
        counts[row["response"]] = row["n"]
    return counts


@dataclass
class TimedSlot:
    item: AgendaItem
    starts_at: dt.datetime | None  # None once an untimed item came before it
    ends_at: dt.datetime | None


@dataclass
class Agenda:
    slots: list[TimedSlot] = field(default_factory=list)
    queue: list[AgendaItem] = field(default_factory=list)
    planned_minutes: int = 0


def meeting_agenda(meeting: Meeting) -> Agenda:
    """Agenda items in order with their timed slots (from the meeting's start, one after the
    other), and the presenter queue in the order members volunteered."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter__profile", "case_presentation")
        .order_by("position", "created_at", "pk")
    )
    agenda = Agenda()
    cursor: dt.datetime | None = meeting.starts_at
    for item in items:
        if item.state == AgendaItemState.QUEUED:
            continue
        if cursor is not None and item.minutes:
            end = cursor + dt.timedelta(minutes=item.minutes)
            agenda.slots.append(TimedSlot(item=item, starts_at=cursor, ends_at=end))
            cursor = end
            agenda.planned_minutes += item.minutes
        else:
            agenda.slots.append(TimedSlot(item=item, starts_at=cursor, ends_at=None))
            cursor = None
    agenda.queue = sorted((i for i in items if i.state == AgendaItemState.QUEUED), key=lambda i: (i.created_at, i.pk))
    return agenda


def meeting_members(meeting: Meeting) -> list[Membership]:
    """The group's active members (for the attendance sheet), facilitators first."""
    return list(
        Membership.objects.filter(group_id=meeting.group_id, status=MembershipStatus.ACTIVE)
        .select_related("user__profile")
        .order_by("role", "user_id")
    )


@dataclass
class AttendanceRow:
    membership: Membership
    record: MeetingAttendance | None


def attendance_sheet(meeting: Meeting) -> list[AttendanceRow]:
    """One row per active member, with what was recorded (if anything); former members who were
    recorded keep their row."""
    members = meeting_members(meeting)
    records = {
        row.member_id: row for row in MeetingAttendance.objects.filter(meeting=meeting).select_related("member__profile")
    }
    sheet = [AttendanceRow(membership=m, record=records.pop(m.user_id, None)) for m in members]
    for record in records.values():
        sheet.append(AttendanceRow(membership=Membership(group_id=meeting.group_id, user=record.member,
                                                         status=MembershipStatus.LEFT), record=record))
    return sheet


def my_attendance(meeting: Meeting, user: Any) -> MeetingAttendance | None:
    return MeetingAttendance.objects.filter(meeting=meeting, member_id=user.pk).first()


# --- the CE log -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogEntry:
    date: dt.datetime
    group_name: str
    group_kind: str
    status: str
    meeting_minutes: int
    credited_minutes: int
    facilitator: str


@dataclass(frozen=True)
class AttendanceLog:
    entries: list[LogEntry]

    @property
    def total_minutes(self) -> int:
        return sum(entry.credited_minutes for entry in self.entries)

    @property
    def total_hours(self) -> str:
        return f"{self.total_minutes / 60:.2f}"


def attendance_log(user: Any) -> AttendanceLog:
    """The member's own attended meetings (present or late), oldest first: the CE log. Nothing
    of what was said; the facilitator is who took the attendance."""
    rows = (
        MeetingAttendance.objects.filter(member_id=user.pk, status__in=ATTENDED_STATUSES,
                                         meeting__status=MeetingStatus.SCHEDULED)
        .select_related("meeting__group", "recorded_by__profile")
        .order_by("meeting__starts_at", "pk")
    )
    entries = [
        LogEntry(
            date=row.meeting.starts_at,
            group_name=row.meeting.group.name,
            group_kind=str(row.meeting.group.get_kind_display()),
            status=str(row.get_status_display()),
            meeting_minutes=row.meeting.duration_minutes,
            credited_minutes=row.credited_minutes(),
            facilitator=_facilitator_name(row.recorded_by),
        )
        for row in rows
    ]
    return AttendanceLog(entries=entries)


def _facilitator_name(user: User | None) -> str:
    if user is None:
        from peerhaven.core.privacy import FORMER_MEMBER

        return str(FORMER_MEMBER)
    return str(user.public_name)


# --- the video room --------------------------------------------------------------------------------
def meeting_room_spec(ref: str) -> Any:
    """The RoomSpec of a meeting's video room, for the live app (None when there is none).

    Participants: active members who acknowledged the group agreement for this meeting, so
    that entering the room always comes after the acknowledgement. Hosts: its facilitators."""
    from django.urls import reverse

    from peerhaven.live.rooms import RoomSpec

    if not ref.isdigit():
        return None
    meeting = Meeting.objects.select_related("group").filter(pk=int(ref)).first()
    if meeting is None:
        return None
    active = list(
        Membership.objects.filter(group_id=meeting.group_id, status=MembershipStatus.ACTIVE,
                                  user__suspended_at__isnull=True)
        .values_list("user_id", "role")
    )
    acknowledged = set(
        MeetingAgreementAck.objects.filter(
            meeting=meeting, agreement_version__gte=meeting.group.agreement_version
        ).values_list("member_id", flat=True)
    )
    member_ids = {user_id for user_id, _role in active}
    return RoomSpec(
        kind="groups.meeting",
        ref=str(meeting.pk),
        title=ROOM_TITLE,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        participant_ids=frozenset(member_ids & acknowledged),
        host_ids=frozenset(uid for uid, role in active if role == MembershipRole.FACILITATOR) & acknowledged,
        back_url=reverse("groups:meeting_detail", kwargs={"pk": meeting.pk}),
        external=len(member_ids) > MESH_LIMIT,
        closed=meeting.is_cancelled or meeting.group.archived_at is not None,
    )


def meeting_room_url(meeting: Meeting) -> str | None:
    """The link to the meeting's room (None while the live app's room page is not installed)."""
    from django.urls import NoReverseMatch

    from peerhaven.live.rooms import room_url

    try:
        return room_url("groups.meeting", meeting.pk)
    except NoReverseMatch:
        return None


# --- privacy export --------------------------------------------------------------------------------
def export_member(user: Any) -> dict[str, Any]:
    """The member's own RSVPs, acknowledgements, attendance and presenter-queue entries: times,
    answers and the group's name; nothing of other members."""
    rsvps = MeetingRsvp.objects.filter(member=user).select_related("meeting__group").order_by("meeting__starts_at", "pk")
    acks = MeetingAgreementAck.objects.filter(member=user).select_related("meeting__group").order_by("acknowledged_at", "pk")
    attendance = (
        MeetingAttendance.objects.filter(member=user).select_related("meeting__group").order_by("meeting__starts_at", "pk")
    )
    presenting = AgendaItem.objects.filter(presenter=user).select_related("meeting__group").order_by("created_at", "pk")
    return {
        "rsvps": [
            {"group": row.meeting.group.name, "meeting_starts_at": row.meeting.starts_at, "response": row.response,
             "updated_at": row.updated_at}
            for row in rsvps
        ],
        "agreement_acknowledgements": [
            {"group": row.meeting.group.name, "meeting_starts_at": row.meeting.starts_at,
             "agreement_version": row.agreement_version, "acknowledged_at": row.acknowledged_at}
            for row in acks
        ],
        "attendance": [
            {"group": row.meeting.group.name, "meeting_starts_at": row.meeting.starts_at,
             "meeting_minutes": row.meeting.duration_minutes, "status": row.status,
             "minutes_attended": row.minutes_attended, "recorded_at": row.recorded_at}
            for row in attendance
        ],
        "agenda_items_presenting": [
            {"group": row.meeting.group.name, "meeting_starts_at": row.meeting.starts_at, "title": row.title,
             "state": row.state, "minutes": row.minutes}
            for row in presenting
        ],
    }


def meetings_busy(user_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Scheduled meetings of the groups these members are active in, overlapping [start, end),
    per member: their commitments, kept out of their T4T slots (support's busy sources). One query."""
    found: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    rows = (
        Membership.objects.filter(
            user_id__in=list(user_ids), status=MembershipStatus.ACTIVE, group__archived_at__isnull=True,
            group__meetings__status=MeetingStatus.SCHEDULED, group__meetings__starts_at__lt=end,
            group__meetings__ends_at__gt=start,
        )
        .values_list("user_id", "group__meetings__starts_at", "group__meetings__ends_at")
    )
    for user_id, starts_at, ends_at in rows:
        found.setdefault(user_id, []).append((starts_at, ends_at))
    return found
