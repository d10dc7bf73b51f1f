"""Who may do what with a group's meetings: one function per action, used by the pages, the API
and the video-room resolver alike, plus the loaders that answer 404 to outsiders.

Meetings, RSVPs, attendance and agendas are inside the group: its active members only (not
staff, not other members). A member's own attendance log is theirs wherever they are now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone

from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.groups.models.groups import Group
from peerhaven.groups.models.meetings import (
    AgendaItem,
    AgendaItemState,
    Meeting,
    MeetingAgreementAck,
    MeetingSeries,
)
from peerhaven.groups.policies.groups import (
    can_manage_group,
    can_take_part,
    can_view_inside,
    has_current_agreement,
    is_group_member,
)
from peerhaven.live.rooms import ENTRY_AFTER, ENTRY_BEFORE

# Attendance can be taken from when the room opens (people arriving) and kept correct later.
ATTENDANCE_OPENS_BEFORE = ENTRY_BEFORE
_ACK_CACHE = "_peerhaven_meeting_acks"
_MISSING = object()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- seeing ---------------------------------------------------------------------------------
def can_view_meetings(user: Any, group: Group) -> bool:
    return is_verified(user) and can_view_inside(user, group)


def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    return can_view_meetings(user, meeting.group)


# --- facilitators --------------------------------------------------------------------------------
def can_schedule_meetings(user: Any, group: Group) -> bool:
    """Create series and one-off meetings, edit a series: a facilitator of an active group."""
    return is_verified(user) and can_manage_group(user, group)


def can_change_meeting(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    """Move or cancel one occurrence: before it starts, while it is still scheduled."""
    return (
        can_schedule_meetings(user, meeting.group)
        and not meeting.is_cancelled
        and meeting.starts_at > _now(now)
    )


def can_edit_series(user: Any, series: MeetingSeries) -> bool:
    return can_schedule_meetings(user, series.group) and not series.has_ended


def can_see_rsvp_counts(user: Any, meeting: Meeting) -> bool:
    return can_schedule_meetings(user, meeting.group)


def can_take_attendance(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    """From the moment the room opens; never for a cancelled meeting."""
    return (
        can_schedule_meetings(user, meeting.group)
        and not meeting.is_cancelled
        and meeting.starts_at - ATTENDANCE_OPENS_BEFORE <= _now(now)
    )


def can_view_attendance(user: Any, meeting: Meeting) -> bool:
    """Everyone's attendance at one meeting: its facilitators. A member reads only their own."""
    return can_schedule_meetings(user, meeting.group)


def can_manage_agenda(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    """Add items, order the queue into timed slots, remove: facilitators, until the meeting ends."""
    return (
        can_schedule_meetings(user, meeting.group)
        and not meeting.is_cancelled
        and not meeting.has_ended(_now(now))
    )


# --- members ------------------------------------------------------------------------------------
def can_rsvp(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    return (
        is_verified(user)
        and is_group_member(user, meeting.group)
        and meeting.group.archived_at is None
        and not meeting.is_cancelled
        and not meeting.has_ended(_now(now))
    )


def acknowledgement_for(user: Any, meeting: Meeting) -> MeetingAgreementAck | None:
    """The member's acknowledgement of the agreement for this meeting, loaded once per object."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, MeetingAgreementAck | None] = getattr(meeting, _ACK_CACHE, None) or {}
    found = cache.get(user.pk, _MISSING)
    if found is _MISSING:
        found = MeetingAgreementAck.objects.filter(meeting=meeting, member_id=user.pk).first()
        cache[user.pk] = found
        setattr(meeting, _ACK_CACHE, cache)
    return found  # type: ignore[return-value]


def remember_acknowledgement(user: Any, meeting: Meeting, ack: MeetingAgreementAck | None) -> None:
    cache: dict[int, MeetingAgreementAck | None] = getattr(meeting, _ACK_CACHE, None) or {}
    cache[user.pk] = ack
    setattr(meeting, _ACK_CACHE, cache)


def has_acknowledged(user: Any, meeting: Meeting) -> bool:
    """Confirmed the group's current agreement for this meeting (a newer version asks again)."""
    ack = acknowledgement_for(user, meeting)
    return ack is not None and ack.agreement_version >= meeting.group.agreement_version


def can_acknowledge_agreement(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    """One click on the meeting page, any time before the room closes. The member must have
    accepted the current agreement of the group first (the group pages ask for that)."""
    return (
        is_verified(user)
        and can_take_part(user, meeting.group)
        and has_current_agreement(user, meeting.group)
        and not meeting.is_cancelled
        and _now(now) <= meeting.ends_at + ENTRY_AFTER
    )


def may_be_in_room(user: Any, meeting: Meeting) -> bool:
    """A participant of the meeting's video room: an active member who acknowledged the
    agreement for this meeting (the live app then applies its time window)."""
    return is_group_member(user, meeting.group) and has_acknowledged(user, meeting)


def can_volunteer_to_present(user: Any, meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    return (
        is_verified(user)
        and can_take_part(user, meeting.group)
        and not meeting.is_cancelled
        and meeting.starts_at > _now(now)
    )


def can_withdraw_agenda_item(user: Any, item: AgendaItem, *, now: dt.datetime | None = None) -> bool:
    """A presenter takes back their own place in the queue; facilitators remove any item."""
    if can_manage_agenda(user, item.meeting, now=now):
        return True
    return (
        item.presenter_id == getattr(user, "pk", None)
        and item.state == AgendaItemState.QUEUED
        and is_group_member(user, item.meeting.group)
        and item.meeting.starts_at > _now(now)
    )


def can_download_own_attendance(user: Any) -> bool:
    """Any active member: the log holds only their own rows, whether or not they still belong."""
    return is_active_member(user)


# --- loaders (404 for whoever may not see) ---------------------------------------------------------
def meeting_get_for_user(user: Any, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("group", "series").filter(pk=pk).first()
    if meeting is None or not can_view_meeting(user, meeting):
        raise Http404
    return meeting


def series_get_for_user(user: Any, pk: int) -> MeetingSeries:
    series = MeetingSeries.objects.select_related("group").filter(pk=pk).first()
    if series is None or not can_view_meetings(user, series.group):
        raise Http404
    return series


def agenda_item_get_for_user(user: Any, meeting: Meeting, pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(pk=pk, meeting=meeting).first()
    if item is None or not can_view_meeting(user, meeting):
        raise Http404
    item.meeting = meeting  # keeps the membership cache
    return item
