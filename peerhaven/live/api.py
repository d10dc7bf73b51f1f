"""/api/v1 live meetups: list, detail, register, and a room's chat history for its participants.

A thin edge over the same selectors, policies and services as the pages. Tokens need the live:read
or live:write scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from peerhaven.accounts.models import User
from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.live.models import Meetup
from peerhaven.live.policies import (
    can_join_meetup,
    can_read_chat,
    may_enter_room,
    meetup_get_for_user,
    registration_for,
    room_spec_get_for_user,
)
from peerhaven.live.selectors import chat_history, seats_taken, upcoming_meetups, video_room_state
from peerhaven.live.services import MeetupFull, meetup_register
from peerhaven.live.video import join_grant

router = Router(tags=["live meetups"])


class MeetupOut(Schema):
    id: int
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    seats_taken: int
    host: str
    registered: bool
    room_open: bool


class RegistrationOut(Schema):
    meetup_id: int
    registered: bool
    can_join_now: bool


class ChatMessageOut(Schema):
    id: int
    author: str
    author_is_host: bool
    body: str
    content_note: str
    created_at: dt.datetime
    reactions: dict[str, int]
    mine: bool


def _verified_member(request: HttpRequest) -> User:
    candidate: Any = getattr(request, "auth", None)
    if candidate is not None and not isinstance(candidate, User):
        candidate = getattr(candidate, "user", None)
    if not isinstance(candidate, User):
        candidate = getattr(request, "user", None)
    if not isinstance(candidate, User) or not candidate.is_authenticated:
        raise HttpError(401, _("Please sign in."))
    if not is_active_member(candidate):
        raise HttpError(403, _("This account is suspended."))
    if not is_verified(candidate):
        raise HttpError(403, _("Live meetups are for verified members."))
    return candidate


def _meetup_out(meetup: Meetup, *, taken: int, registered: bool) -> MeetupOut:
    return MeetupOut(
        id=meetup.pk, title=meetup.title, description=meetup.description, starts_at=meetup.starts_at,
        ends_at=meetup.ends_at, capacity=meetup.capacity, seats_taken=taken, host=meetup.host.public_name,
        registered=registered, room_open=meetup.room_is_open(),
    )


@router.get("/meetups", response=list[MeetupOut], summary="Upcoming live meetups")
def meetups_list(request: HttpRequest) -> list[MeetupOut]:
    member = _verified_member(request)
    return [
        _meetup_out(meetup, taken=getattr(meetup, "seats_taken", 0), registered=bool(getattr(meetup, "my_registrations", [])))
        for meetup in upcoming_meetups(member)
    ]


@router.get("/meetups/{meetup_id}", response=MeetupOut, summary="One live meetup")
def meetup_get(request: HttpRequest, meetup_id: int) -> MeetupOut:
    member = _verified_member(request)
    meetup = meetup_get_for_user(member, meetup_id)
    registration = registration_for(member, meetup)
    return _meetup_out(meetup, taken=seats_taken(meetup), registered=registration is not None and registration.removed_at is None)


@router.post("/meetups/{meetup_id}/registration", response=RegistrationOut, summary="Register for a meetup")
def meetup_register_api(request: HttpRequest, meetup_id: int) -> RegistrationOut:
    member = _verified_member(request)
    meetup = meetup_get_for_user(member, meetup_id)
    try:
        registration = meetup_register(actor=member, meetup=meetup, request=request)
    except MeetupFull as full:
        raise HttpError(409, str(full)) from full
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from refusal
    return RegistrationOut(meetup_id=meetup.pk, registered=True,
                           can_join_now=can_join_meetup(member, meetup, registration))


@router.get("/meetups/{meetup_id}/messages", response=list[ChatMessageOut], summary="A meetup room's recent chat")
def meetup_messages(request: HttpRequest, meetup_id: int) -> list[dict[str, Any]]:
    member = _verified_member(request)
    meetup = meetup_get_for_user(member, meetup_id)
    if not can_read_chat(member, meetup, registration_for(member, meetup)):
        raise HttpError(404, _("Not found."))
    history = chat_history(meetup, member)
    for message in history:
        message["mine"] = message.pop("author_id") == member.pk
    return history


# --- video rooms ----------------------------------------------------------------------------------
class IceServerOut(Schema):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class RoomJoinOut(Schema):
    token: str
    expires_in: int
    socket_path: str
    ice_servers: list[IceServerOut]
    ice_transport_policy: str


@router.post("/rooms/{kind}/{ref}/token", response=RoomJoinOut, url_name="live_room_token",
             summary="A short-lived token to open a video room's signalling socket")
def room_token(request: HttpRequest, kind: str, ref: str) -> dict[str, Any]:
    """For a participant while the room is open (10 minutes before the start until 15 minutes
    after the end): a signed token valid for 60 seconds, bound to the member and the room, with
    the ICE servers to use. Outsiders get a 404; a participant outside the window a 403."""
    member = _verified_member(request)
    try:
        spec = room_spec_get_for_user(member, kind, ref)
    except Http404 as missing:
        raise HttpError(404, _("Not found.")) from missing
    state = video_room_state(spec, member)
    if not may_enter_room(member, spec) or state.ended or state.removed:
        raise HttpError(403, _("This room is not open to you right now."))
    if spec.external:
        raise HttpError(409, _("This room meets on the external video service; open its page for the link."))
    return join_grant(member, spec)
