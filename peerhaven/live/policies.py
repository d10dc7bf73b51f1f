"""Who may do what with live meetups: one function per action, used by the pages, the API and
the websocket consumer alike, plus the loaders that answer 404 to outsiders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone

from peerhaven.accounts.models import Role
from peerhaven.core.policies import has_role, is_verified
from peerhaven.live.models import ChatMessage, Meetup, MeetupRegistration
from peerhaven.live.rooms import RoomSpec, room_spec


def can_schedule_meetup(user: Any) -> bool:
    return has_role(user, Role.STAFF) or has_role(user, Role.FACILITATOR)


def can_view_meetup(user: Any, meetup: Meetup) -> bool:
    # Audience "all verified members" is the only one until groups exist.
    return is_verified(user)


def can_moderate_room(user: Any, meetup: Meetup) -> bool:
    """The host, or staff."""
    return can_view_meetup(user, meetup) and (meetup.host_id == user.pk or has_role(user, Role.STAFF))


def can_hide_chat_message(user: Any, meetup: Meetup) -> bool:
    """Hide one message from the room: its host, staff, or a moderator."""
    return can_moderate_room(user, meetup) or (can_view_meetup(user, meetup) and has_role(user, Role.MODERATOR))


def can_register_for_meetup(user: Any, meetup: Meetup, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        can_view_meetup(user, meetup)
        and meetup.ended_at is None
        and not meetup.locked
        and now <= meetup.room_closes_at
    )


def can_join_meetup(
    user: Any, meetup: Meetup, registration: MeetupRegistration | None, *, now: dt.datetime | None = None
) -> bool:
    """Enter the room: a registered, non-removed participant, while the room is open. A locked
    room still lets in those who were in it before (and its moderators)."""
    if not can_view_meetup(user, meetup) or not meetup.room_is_open(now):
        return False
    if registration is None or registration.removed_at is not None or registration.member_id != user.pk:
        return False
    if meetup.locked and registration.entered_at is None and not can_moderate_room(user, meetup):
        return False
    return True


def can_post_in_room(user: Any, meetup: Meetup, registration: MeetupRegistration | None) -> bool:
    if not can_join_meetup(user, meetup, registration):
        return False
    return not meetup.chat_muted or can_moderate_room(user, meetup)


def can_read_chat(user: Any, meetup: Meetup, registration: MeetupRegistration | None) -> bool:
    """Chat history: participants who are not removed, during and after the meetup (until the
    retention job deletes it)."""
    return (
        can_view_meetup(user, meetup)
        and registration is not None
        and registration.member_id == user.pk
        and registration.removed_at is None
    )


def can_view_chat_message(user: Any, message: ChatMessage) -> bool:
    """For reports: a participant of the message's meetup who can read its chat."""
    meetup = message.meetup
    registration = MeetupRegistration.objects.filter(meetup=meetup, member_id=getattr(user, "pk", None)).first()
    return message.hidden_at is None and can_read_chat(user, meetup, registration)


def meetup_get_for_user(user: Any, pk: int) -> Meetup:
    meetup = Meetup.objects.select_related("host__profile").filter(pk=pk).first()
    if meetup is None or not can_view_meetup(user, meetup):
        raise Http404
    return meetup


def registration_for(user: Any, meetup: Meetup) -> MeetupRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return MeetupRegistration.objects.filter(meetup=meetup, member=user).first()


# --- video rooms (rooms.py) -----------------------------------------------------------------------
def may_enter_room(user: Any, spec: RoomSpec, now: dt.datetime | None = None) -> bool:
    """The one entry rule of every video room: a verified, active participant of the room, from
    ENTRY_BEFORE before the start until ENTRY_AFTER after the end, unless the owner closed it."""
    if not is_verified(user) or user.pk not in spec.participant_ids or spec.closed:
        return False
    now = now or timezone.now()
    return spec.opens_at <= now <= spec.closes_at


def may_host_room(user: Any, spec: RoomSpec, now: dt.datetime | None = None) -> bool:
    return user.pk in spec.host_ids and may_enter_room(user, spec, now)


def room_spec_get_for_user(user: Any, kind: str, ref: str) -> RoomSpec:
    """The room's spec for one of its participants (whatever the time); 404 for everyone else,
    so that a room's existence is not revealed to outsiders."""
    spec = room_spec(kind, ref)
    if spec is None or not is_verified(user) or user.pk not in spec.participant_ids:
        raise Http404
    return spec
