"""Writes for live meetups: scheduling, registration (seats under a row lock), the room's chat,
hands, reactions and host controls, and chat retention.

Real-time events leave only from here, after commit, to the room's channel-layer group
`room_group(meetup_id)`; the consumer filters them per recipient (blocks, warnings).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import os
import weakref
from collections import deque
from functools import partial
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User
from peerhaven.core.audit import audit_log
from peerhaven.live import video
from peerhaven.live.db import database_trip
from peerhaven.live.models import (
    ChatMessage,
    LiveSettings,
    Meetup,
    MeetupRegistration,
    Reaction,
    ReactionKind,
    VideoRoom,
    VideoRoomPresence,
    VideoRoomRemoval,
)
from peerhaven.live.policies import can_register_for_meetup
from peerhaven.live.rooms import RoomSpec
from peerhaven.live.selectors import (
    PRESENCE_STALE_AFTER,
    live_settings,
    message_payload,
    presence,
    reaction_counts_for,
    video_presence,
)
from peerhaven.safety import phi

logger = logging.getLogger(__name__)


class MeetupFull(Exception):
    """Every seat is taken: answered with a 409 and a kind message."""


def room_group(meetup_id: int) -> str:
    return f"live.meetup.{meetup_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group`. In a worker thread of the ASGI server it is handed to the
    server's event loop, which sends the room's events one after another in the order they were
    committed, without this thread waiting for the fan-out; elsewhere it is sent before returning."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop()
    if loop is None:
        async_to_sync(layer.group_send)(group, event)
        return
    # A fresh context: the sending task must not inherit this worker thread's asgiref state.
    loop.call_soon_threadsafe(_outbox_put, layer, group, event, context=contextvars.Context())


class _Outbox:
    """Events waiting to be sent on one event loop, in order; touched only on that loop."""

    __slots__ = ("events", "sending")

    def __init__(self) -> None:
        self.events: deque[tuple[Any, str, dict[str, Any]]] = deque()
        self.sending = False


_outboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outbox] = weakref.WeakKeyDictionary()
_sending_tasks: set[asyncio.Future[None]] = set()


def _outbox_put(layer: Any, group: str, event: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    outbox = _outboxes.get(loop)
    if outbox is None:
        outbox = _outboxes[loop] = _Outbox()
    outbox.events.append((layer, group, event))
    if not outbox.sending:
        outbox.sending = True
        task = asyncio.ensure_future(_outbox_drain(outbox))
        _sending_tasks.add(task)
        task.add_done_callback(_sending_tasks.discard)


async def _outbox_drain(outbox: _Outbox) -> None:
    try:
        while outbox.events:
            layer, group, event = outbox.events.popleft()
            try:
                await layer.group_send(group, event)
            except Exception:  # noqa: BLE001 - one lost event must not stop the ones after it
                logger.exception("a live event could not be sent")
    finally:
        outbox.sending = False


def _push_after_commit(meetup_id: int, event: dict[str, Any]) -> None:
    transaction.on_commit(partial(_send, room_group(meetup_id), event))


def _push_presence_after_commit(meetup: Meetup) -> None:
    transaction.on_commit(partial(_presence_soon, meetup.pk))


# --- presence, coalesced ------------------------------------------------------------------------
# Every join, leave and raised hand changes a room's presence list. Sending the whole list to the
# whole room at each change costs N messages per change, N^2 for a room filling up. Instead a
# room gets at most one snapshot per PRESENCE_INTERVAL_SECONDS from this process: the first
# change goes out at once, later ones within the interval are folded into one snapshot read
# when it is sent (so it is never stale). A joiner has the full list in its welcome frame anyway.
PRESENCE_INTERVAL_SECONDS = 1.0


class _PresenceRoom:
    """One room's snapshot schedule, touched only on the event loop's thread."""

    __slots__ = ("last", "timer", "sending", "again")

    def __init__(self) -> None:
        self.last = float("-inf")
        self.timer: asyncio.TimerHandle | None = None
        self.sending = False
        self.again = False


# Per event loop (a test's loop closes with its test; a server has one), then per meetup.
_presence_rooms_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _PresenceRoom]] = (
    weakref.WeakKeyDictionary()
)


def _presence_snapshot(meetup_id: int) -> list[dict[str, Any]] | None:
    # Computed when the transaction has committed, so that the list is what others will read.
    meetup = Meetup.objects.filter(pk=meetup_id).first()
    return presence(meetup) if meetup is not None else None


def _presence_send_now(meetup_id: int) -> None:
    participants = _presence_snapshot(meetup_id)
    if participants is not None:
        _send(room_group(meetup_id), {"type": "room.presence", "participants": participants})


def _presence_soon(meetup_id: int) -> None:
    """After a commit: schedule the room's snapshot on the server's event loop, or send it now
    where there is no long-lived loop (a management command, a plain WSGI request)."""
    loop = _server_loop()
    if loop is None:
        _presence_send_now(meetup_id)
        return
    # A fresh context: the snapshot's task must not inherit this worker thread's asgiref state.
    loop.call_soon_threadsafe(_presence_request, meetup_id, context=contextvars.Context())


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the ASGI server when this code runs in one of its worker threads."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        return running
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop.is_running() and not loop.is_closed() else None


def _presence_request(meetup_id: int) -> None:
    loop = asyncio.get_running_loop()
    _presence_rooms = _presence_rooms_by_loop.setdefault(loop, {})
    room = _presence_rooms.get(meetup_id)
    if room is None:
        if len(_presence_rooms) > 1000:  # forget rooms that have been quiet for a while
            quiet = loop.time() - 10 * PRESENCE_INTERVAL_SECONDS
            for key in [key for key, value in _presence_rooms.items()
                        if value.last < quiet and value.timer is None and not value.sending]:
                del _presence_rooms[key]
        room = _presence_rooms[meetup_id] = _PresenceRoom()
    if room.sending:
        room.again = True
        return
    if room.timer is not None:
        return  # the snapshot already planned will read this change
    wait = room.last + PRESENCE_INTERVAL_SECONDS - loop.time()
    if wait <= 0:
        _presence_start(meetup_id, room)
    else:
        room.timer = loop.call_later(wait, _presence_start, meetup_id, room)


def _presence_start(meetup_id: int, room: _PresenceRoom) -> None:
    room.timer = None
    room.sending = True
    room.last = asyncio.get_running_loop().time()
    task = asyncio.ensure_future(_presence_send(meetup_id, room))
    _sending_tasks.add(task)
    task.add_done_callback(_sending_tasks.discard)


async def _presence_send(meetup_id: int, room: _PresenceRoom) -> None:
    try:
        participants = await database_trip(_presence_snapshot)(meetup_id)
        layer = get_channel_layer()
        if participants is not None and layer is not None:
            # Behind the room's other events already handed over (a removal before its presence).
            _outbox_put(layer, room_group(meetup_id), {"type": "room.presence", "participants": participants})
    except Exception:  # noqa: BLE001 - a lost snapshot is repaired by the next change; never crash the loop
        logger.exception("presence snapshot for a meetup room failed")
    finally:
        room.sending = False
    if room.again:
        room.again = False
        _presence_request(meetup_id)


# --- scheduling and registration ---------------------------------------------------------------
def meetup_create(
    *, actor: User, title: str, description: str, starts_at: dt.datetime, ends_at: dt.datetime,
    capacity: int, request: HttpRequest | None = None,
) -> Meetup:
    with transaction.atomic():
        meetup = Meetup(title=title, description=description, starts_at=starts_at, ends_at=ends_at,
                        capacity=capacity, host=actor)
        meetup.full_clean()
        meetup.save()
        # The host is in the room without taking a seat.
        MeetupRegistration.objects.create(meetup=meetup, member=actor)
        audit_log("meetup.create", actor=actor, target=meetup, request=request)
    return meetup


def meetup_register(*, actor: User, meetup: Meetup, request: HttpRequest | None = None) -> MeetupRegistration:
    """Take a seat. Registering twice returns the first registration; a removed member cannot
    come back; a full meetup raises MeetupFull."""
    with transaction.atomic():
        # Lock the meetup row: the one place where seats are counted, so concurrent
        # registrations queue here and never oversell (bounded by the database's lock timeout).
        locked = Meetup.objects.select_for_update().get(pk=meetup.pk)
        existing = MeetupRegistration.objects.filter(meetup=locked, member=actor).first()
        if existing is not None:
            if existing.removed_at is not None:
                raise PermissionDenied(_("The host removed you from this meetup."))
            return existing
        if not can_register_for_meetup(actor, locked):
            raise PermissionDenied(_("This meetup is not open for registration."))
        taken = (
            MeetupRegistration.objects.filter(meetup=locked, removed_at__isnull=True)
            .exclude(member_id=locked.host_id)
            .count()
        )
        if taken >= locked.capacity:
            raise MeetupFull(_("This meetup is full. We are sorry: please look out for the next one."))
        try:
            with transaction.atomic():
                registration = MeetupRegistration.objects.create(meetup=locked, member=actor)
        except IntegrityError:
            # Another request of the same member got there first: theirs stands.
            return MeetupRegistration.objects.get(meetup=locked, member=actor)
    return registration


# --- presence -------------------------------------------------------------------------------
def presence_enter(*, registration: MeetupRegistration) -> None:
    with transaction.atomic():
        MeetupRegistration.objects.filter(pk=registration.pk).update(connections=F("connections") + 1)
        MeetupRegistration.objects.filter(pk=registration.pk, entered_at__isnull=True).update(entered_at=timezone.now())
        _push_presence_after_commit(registration.meetup)


def presence_leave(*, registration: MeetupRegistration) -> None:
    with transaction.atomic():
        MeetupRegistration.objects.filter(pk=registration.pk).update(
            connections=Greatest(F("connections") - 1, 0)
        )
        _push_presence_after_commit(registration.meetup)


def hand_set(*, actor: User, registration: MeetupRegistration, raised: bool) -> None:
    with transaction.atomic():
        MeetupRegistration.objects.filter(pk=registration.pk, member=actor).update(raised_hand=raised)
        _push_presence_after_commit(registration.meetup)


# --- chat -------------------------------------------------------------------------------------
def chat_message_post(
    *, actor: User, meetup: Meetup, body: str, content_note: str = ""
) -> tuple[ChatMessage, list[dict[str, Any]]]:
    """Post to the room. The PHI guard warns the author (positions only) but does not block:
    the room is live, and the author decides whether to rephrase."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    with transaction.atomic():
        message = ChatMessage(meetup=meetup, author=actor, body=body, content_note=content_note.strip())
        # The meetup and the author are rows the caller holds (the database's foreign keys still
        # guard them): Django's per-key existence queries are left out, the fields are validated.
        message.full_clean(exclude={"meetup", "author"})
        message.save()
        warnings = [
            {"start": finding.start, "end": finding.end, "category": finding.category}
            for finding in phi.scan(body)
        ]
        payload = message_payload(message, host_id=meetup.host_id)
        # The frame every other participant gets, encoded once here rather than once per socket:
        # the consumers only forward it (or, for the author, mark it as theirs with the warnings).
        frame = json.dumps({"type": "chat.message", "message": {**payload, "mine": False}})
        _push_after_commit(meetup.pk, {
            "type": "chat.message", "frame": frame, "author_id": actor.pk, "warnings": warnings,
        })
    return message, warnings


def reaction_add(*, actor: User, message: ChatMessage, kind: str) -> Reaction:
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": _("Choose one of the support reactions.")})
    with transaction.atomic():
        reaction, _created = Reaction.objects.get_or_create(message=message, member=actor, kind=kind)
        message_id, meetup_id = message.pk, message.meetup_id

        def _push() -> None:
            _send(room_group(meetup_id), {
                "type": "chat.reactions", "message_id": message_id, "reactions": reaction_counts_for(message_id),
            })

        transaction.on_commit(_push)
    return reaction


# --- host controls (audited) -----------------------------------------------------------------
def _room_state_after_commit(meetup: Meetup) -> None:
    _push_after_commit(meetup.pk, {"type": "room.state", "chat_muted": meetup.chat_muted, "locked": meetup.locked})


def room_mute(*, actor: User, meetup: Meetup, muted: bool) -> Meetup:
    with transaction.atomic():
        Meetup.objects.filter(pk=meetup.pk).update(chat_muted=muted)
        meetup.chat_muted = muted
        audit_log("meetup.chat_mute" if muted else "meetup.chat_unmute", actor=actor, target=meetup)
        _room_state_after_commit(meetup)
    return meetup


def room_lock(*, actor: User, meetup: Meetup, locked: bool) -> Meetup:
    with transaction.atomic():
        Meetup.objects.filter(pk=meetup.pk).update(locked=locked)
        meetup.locked = locked
        audit_log("meetup.lock" if locked else "meetup.unlock", actor=actor, target=meetup)
        _room_state_after_commit(meetup)
    return meetup


def participant_remove(*, actor: User, meetup: Meetup, registration: MeetupRegistration) -> None:
    """Remove a participant: their sockets close at once and they cannot come back."""
    if registration.meetup_id != meetup.pk or registration.member_id == meetup.host_id:
        raise PermissionDenied(_("This participant cannot be removed."))
    with transaction.atomic():
        MeetupRegistration.objects.filter(pk=registration.pk).update(
            removed_at=timezone.now(), connections=0, raised_hand=False
        )
        audit_log("meetup.participant_remove", actor=actor, target=meetup, registration=registration.pk)
        _push_after_commit(meetup.pk, {"type": "room.removed", "user_id": registration.member_id})
        _push_presence_after_commit(meetup)


def meetup_end(*, actor: User, meetup: Meetup) -> Meetup:
    with transaction.atomic():
        now = timezone.now()
        Meetup.objects.filter(pk=meetup.pk, ended_at__isnull=True).update(ended_at=now)
        meetup.ended_at = now
        MeetupRegistration.objects.filter(meetup=meetup).update(connections=0, raised_hand=False)
        audit_log("meetup.end", actor=actor, target=meetup)
        _push_after_commit(meetup.pk, {"type": "room.ended"})
    return meetup


def room_crisis_show(*, actor: User, meetup: Meetup) -> None:
    """The host's one click: every participant sees the crisis resources banner."""
    with transaction.atomic():
        audit_log("meetup.crisis_show", actor=actor, target=meetup)
        _push_after_commit(meetup.pk, {"type": "room.crisis"})


# --- retention ---------------------------------------------------------------------------------
def live_settings_update(*, actor: User, chat_retention_days: int, request: HttpRequest | None = None) -> LiveSettings:
    with transaction.atomic():
        current = LiveSettings.objects.select_for_update().order_by("pk").first() or live_settings()
        current.chat_retention_days = chat_retention_days
        current.updated_at = timezone.now()
        current.full_clean()
        current.save()
        audit_log("live.settings_update", actor=actor, target=current, request=request,
                  chat_retention_days=chat_retention_days)
    return current


def chat_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the chat of meetups that ended (or were due to end) more than N days ago."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=live_settings().chat_retention_days)
    ended = Q(meetup__ended_at__lt=cutoff) | Q(meetup__ended_at__isnull=True, meetup__ends_at__lt=cutoff)
    with transaction.atomic():
        _total, detail = ChatMessage.objects.filter(ended).delete()
        deleted = detail.get(ChatMessage._meta.label, 0)
        if deleted:
            audit_log("retention.chat_messages", count=deleted)
    return deleted


# --- video rooms ----------------------------------------------------------------------------------
# Events go to the room's group `video.room_group(spec.key)`; each consumer shapes them for its
# member (blocks) and never passes internal ids or channel names to a browser.
class VideoRoomFull(Exception):
    """A mesh already carries MESH_MAX_PARTICIPANTS people."""


class VideoRoomRefused(Exception):
    """Ended by the host, or this member was removed from it."""


def _video_presence_after_commit(room_id: int, spec_key: str) -> None:
    def _push() -> None:
        _send(video.room_group(spec_key), {"type": "video.presence", "peers": video_presence(room_id)})

    transaction.on_commit(_push)


def _video_room_locked(spec: RoomSpec) -> VideoRoom:
    VideoRoom.objects.get_or_create(key=spec.key)
    # The room row is the one lock for its seats and its state: entries queue here.
    return VideoRoom.objects.select_for_update().get(key=spec.key)


def video_room_enter(*, member: User, spec: RoomSpec, peer_id: str, channel_name: str) -> tuple[VideoRoomPresence, str | None]:
    """Take a place in the mesh. A member's second socket replaces the first (returned: its
    channel, to be told); the ninth person raises VideoRoomFull."""
    with transaction.atomic():
        room = _video_room_locked(spec)
        if room.ended_at is not None or VideoRoomRemoval.objects.filter(room=room, member=member).exists():
            raise VideoRoomRefused
        now = timezone.now()
        others = VideoRoomPresence.objects.filter(room=room, seen_at__gte=now - PRESENCE_STALE_AFTER).exclude(member=member)
        if others.count() >= video.MESH_MAX_PARTICIPANTS:
            raise VideoRoomFull
        previous = VideoRoomPresence.objects.filter(room=room, member=member).first()
        replaced = previous.channel_name if previous is not None else None
        if previous is not None:
            previous.delete()
        presence_row = VideoRoomPresence.objects.create(
            room=room, member=member, peer_id=peer_id, channel_name=channel_name, joined_at=now, seen_at=now
        )
        _video_presence_after_commit(room.pk, spec.key)
    return presence_row, replaced


def video_room_leave(*, spec: RoomSpec, peer_id: str) -> None:
    with transaction.atomic():
        deleted, _detail = VideoRoomPresence.objects.filter(peer_id=peer_id).delete()
        room_id = VideoRoom.objects.filter(key=spec.key).values_list("pk", flat=True).first()
        if deleted and room_id is not None:
            _video_presence_after_commit(room_id, spec.key)


def video_presence_touch(*, peer_id: str) -> bool:
    """The socket is alive (the periodic check, once a minute). False when its row is gone."""
    return bool(VideoRoomPresence.objects.filter(peer_id=peer_id).update(seen_at=timezone.now()))


def video_presence_purge_stale(*, now: dt.datetime | None = None) -> int:
    """Delete presence rows no socket has refreshed for PRESENCE_STALE_AFTER (their node went away;
    they already stopped counting towards the mesh limit)."""
    now = now or timezone.now()
    deleted, _detail = VideoRoomPresence.objects.filter(seen_at__lt=now - PRESENCE_STALE_AFTER).delete()
    return deleted


def video_participant_remove(*, actor: User, spec: RoomSpec, peer_id: str) -> None:
    """The host removes a participant: their socket closes at once and they cannot come back
    into this room. Hosts cannot be removed."""
    with transaction.atomic():
        room = _video_room_locked(spec)
        target = VideoRoomPresence.objects.filter(room=room, peer_id=peer_id).first()
        if target is None:
            raise Http404
        if target.member_id in spec.host_ids or target.member_id == actor.pk:
            raise PermissionDenied(_("This participant cannot be removed."))
        VideoRoomRemoval.objects.get_or_create(room=room, member_id=target.member_id)
        target.delete()
        audit_log("video_room.participant_remove", actor=actor, target=room, room=spec.key)
        _push_to(video.room_group(spec.key), {"type": "video.removed", "user_id": target.member_id})
        _video_presence_after_commit(room.pk, spec.key)


def video_room_end(*, actor: User, spec: RoomSpec) -> None:
    """The host ends the session for everyone: every socket closes, nobody may enter again."""
    with transaction.atomic():
        room = _video_room_locked(spec)
        if room.ended_at is None:
            room.ended_at = timezone.now()
            room.save(update_fields=["ended_at"])
        VideoRoomPresence.objects.filter(room=room).delete()
        audit_log("video_room.end", actor=actor, target=room, room=spec.key)
        _push_to(video.room_group(spec.key), {"type": "video.ended"})


def video_room_crisis_show(*, actor: User, spec: RoomSpec) -> None:
    """The host's one click: everyone in the room sees the crisis resources banner."""
    with transaction.atomic():
        room = _video_room_locked(spec)
        audit_log("video_room.crisis_show", actor=actor, target=room, room=spec.key)
        _push_to(video.room_group(spec.key), {"type": "video.crisis"})


def _push_to(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(partial(_send, group, event))


# --- hiding one chat message ------------------------------------------------------------------------
def chat_message_hide(*, actor: User, meetup: Meetup, message: ChatMessage) -> ChatMessage:
    """The host or a moderator hides one message: it leaves every screen in the room at once and
    the history, and is kept (hidden) for the report queue until the retention job deletes it."""
    if message.meetup_id != meetup.pk:
        raise Http404
    with transaction.atomic():
        now = timezone.now()
        changed = ChatMessage.objects.filter(pk=message.pk, hidden_at__isnull=True).update(hidden_at=now)
        if changed:
            message.hidden_at = now
            audit_log("meetup.chat_hide", actor=actor, target=meetup, message=message.pk)
            _push_after_commit(meetup.pk, {"type": "chat.hidden", "message_id": message.pk})
    return message
