"""Websockets: the member socket base (authentication, limits, session lifetime, suspension)
and the meetup room consumer (chat, presence, hands, reactions, host controls, reports).

Close codes a browser may see:
  1009 a frame over the consumer's limit · 4000 the meetup or video room ended or closed · 4001 the
  session ended or the account was suspended · 4003 removed from the room · 4008 too many
  messages · 4009 the video room is full · 4010 the same member opened the video room elsewhere.
A handshake that fails authentication or authorisation is refused (HTTP 403) before accept.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import secrets
import time
import weakref
from importlib import import_module
from typing import Any, cast
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import User
from peerhaven.accounts.selectors import terms_pending_for
from peerhaven.accounts.services import member_group
from peerhaven.core.middleware import SESSION_LAST_SEEN, session_is_live
from peerhaven.core.policies import has_mfa
from peerhaven.core.prepared import PreparedRead
from peerhaven.live import services, video
from peerhaven.live.db import database_trip
from peerhaven.live.models import ChatMessage, Meetup, MeetupRegistration, ReactionKind
from peerhaven.live.policies import (
    can_hide_chat_message,
    can_join_meetup,
    can_moderate_room,
    can_post_in_room,
    may_enter_room,
    may_host_room,
)
from peerhaven.live.rooms import RoomSpec, room_spec
from peerhaven.live.selectors import chat_history, presence, video_presence, video_room_state
from peerhaven.live.video import JoinTokenInvalid, join_token_check
from peerhaven.safety.models import Report, ReportReason
from peerhaven.safety.policies import blocked_user_ids, forget_cached_blocks
from peerhaven.safety.registry import reportable_get_for_user
from peerhaven.safety.services import report_content_create

MAX_FRAME_CHARS = 16 * 1024
CLOSE_TOO_BIG = 1009
CLOSE_ENDED = 4000
CLOSE_SIGNED_OUT = 4001
CLOSE_REMOVED = 4003
CLOSE_RATE_LIMITED = 4008
CLOSE_FULL = 4009
CLOSE_REPLACED = 4010
# How often an idle socket re-checks its session (idle log-off, sign-out elsewhere) and blocks:
# every socket at least once in this interval, all of a process's sockets together (_Watch).
SESSION_CHECK_SECONDS = 60.0
# Distinct (session, member) pairs re-read in one trip to the database thread; a crowd takes a
# few trips, so that a chat post waits behind one of them at most.
WATCH_CHUNK = 100

logger = logging.getLogger(__name__)
# Chatting is activity: the session's last-seen moves on, at most once a minute (as for pages).
_LAST_SEEN_RESOLUTION = 60


class TokenBucket:
    """`rate` messages a second on average, `burst` at once."""

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _session_check(session_key: str | None, user_id: int, *, touch: bool) -> bool:
    """The session still exists, belongs to `user_id` and is within its lifetimes."""
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    if str(store.get(SESSION_KEY)) != str(user_id) or not session_is_live(store):
        return False
    if touch and time.time() - float(store.get(SESSION_LAST_SEEN, 0)) > _LAST_SEEN_RESOLUTION:
        store[SESSION_LAST_SEEN] = time.time()
        store.save()
    return True


class _Watch:
    """The open sockets of one event loop. Once every SESSION_CHECK_SECONDS their sessions and
    blocks are re-read together: one trip to the database thread per WATCH_CHUNK distinct
    (session, member) pairs, each pair and each member read once however many sockets share
    them, instead of a timer and two trips per socket. A socket whose session has ended (idle
    log-off, sign-out elsewhere) is closed; the others get their blocks (`watched`)."""

    __slots__ = ("sockets", "task")

    def __init__(self) -> None:
        self.sockets: set[MemberSocketConsumer] = set()
        self.task: asyncio.Task[None] | None = None


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch] = weakref.WeakKeyDictionary()


def _watch_add(socket: MemberSocketConsumer) -> None:
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None:
        watch = _watches[loop] = _Watch()
    watch.sockets.add(socket)
    if watch.task is None or watch.task.done():
        watch.task = loop.create_task(_watch_run(watch))


def _watch_discard(socket: MemberSocketConsumer) -> None:
    try:
        watch = _watches.get(asyncio.get_running_loop())
    except RuntimeError:
        return
    if watch is None:
        return
    watch.sockets.discard(socket)
    if not watch.sockets and watch.task is not None:
        watch.task.cancel()
        watch.task = None


async def _watch_run(watch: _Watch) -> None:
    while watch.sockets:
        await asyncio.sleep(SESSION_CHECK_SECONDS)
        try:
            await _watch_once(watch)
        except Exception:  # noqa: BLE001 - the next interval tries again; never stop watching
            logger.exception("the periodic check of live sockets failed")


def _watch_read(
    pairs: list[tuple[str | None, int]], users: dict[int, Any]
) -> tuple[dict[tuple[str | None, int], bool], dict[int, set[int]]]:
    """In the database thread: which (session, member) pairs are still live, and each member's
    blocks (the same functions as a single socket's check)."""
    live = {(key, user_id): _session_check(key, user_id, touch=False) for key, user_id in pairs}
    blocks: dict[int, set[int]] = {}
    for user_id, user in users.items():
        forget_cached_blocks(user)
        blocks[user_id] = blocked_user_ids(user)
    return live, blocks


async def _watch_once(watch: _Watch) -> None:
    by_pair: dict[tuple[str | None, int], list[MemberSocketConsumer]] = {}
    for socket in list(watch.sockets):
        by_pair.setdefault((socket.session_key, socket.user.pk), []).append(socket)
    pairs = list(by_pair)
    for start in range(0, len(pairs), WATCH_CHUNK):
        chunk = pairs[start:start + WATCH_CHUNK]
        users = {user_id: by_pair[(key, user_id)][0].user for key, user_id in chunk}
        live, blocks = await database_trip(_watch_read)(chunk, users)
        for pair in chunk:
            for socket in by_pair[pair]:
                if socket not in watch.sockets:
                    continue  # gone meanwhile
                try:
                    if not live[pair]:
                        _watch_discard(socket)
                        await socket.close(code=CLOSE_SIGNED_OUT)
                    else:
                        await socket.watched(set(blocks[pair[1]]))
                except Exception:  # noqa: BLE001 - one socket's failure must not skip the others
                    logger.exception("the periodic check of a live socket failed")


async def _dispatch_from(sources: tuple[Any, ...], dispatch: Any) -> None:
    """Channels' `await_many_dispatch`, with one long-lived reader per source that dispatches
    what it reads itself.

    Channels waits on a fresh task per source with `asyncio.wait` and starts a new task after
    every message: for each event a room broadcasts, each socket went through four steps of the
    event loop and a handful of futures before its handler ran. Here each source has one reader
    task, and the reader that gets a message handles it in the same step, once it holds the
    consumer's turn (a lock, taken at once when free): messages are still handled one at a
    time, each source's in its order, the sources' in the order they arrived; a reader holds at
    most one message while it waits for the turn, so what waits beyond that stays in its source
    (the channel layer's capacity and expiry apply as before); an error in a source or in a
    handler is raised here, and the other reader is stopped."""
    turn = asyncio.Lock()

    async def read(source: Any) -> None:
        while True:
            message = await source()
            async with turn:
                await dispatch(message)

    readers = [asyncio.ensure_future(read(source)) for source in sources]
    try:
        done, _pending = await asyncio.wait(readers, return_when=asyncio.FIRST_COMPLETED)
        for reader in done:
            reader.result()
    finally:
        for reader in readers:
            reader.cancel()
        for reader in readers:
            try:
                await reader
            except asyncio.CancelledError:
                pass
            except BaseException:  # noqa: BLE001, S110 - the first error was raised above
                pass


_REGISTRATION_WITH_MEETUP = PreparedRead(
    lambda meetup_id, member_id: MeetupRegistration.objects.select_related("meetup")
    .filter(meetup_id=meetup_id, member_id=member_id).order_by("pk")[:1],
    arity=2,
)


class MemberSocketConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in member's socket: the same gate as pages (not suspended, a second factor,
    current terms, a live session), limits on every frame, and the member's own group so that
    a suspension closes it at once. Origin is checked by AllowedHostsOriginValidator (asgi.py).

    Subclasses implement `authorise()` (may this member open this socket?), `joined()` and
    `handlers` (message type -> coroutine method name); every handler checks its policy."""

    # Per-consumer limits: a frame's size, and a token bucket of messages per second.
    max_frame_chars = MAX_FRAME_CHARS
    rate_per_second = 5.0
    rate_burst = 10
    # Messages refused for rate in a row before the socket is closed.
    max_rate_refusals = 10
    handlers: dict[str, str] = {}
    # Message types whose handler checks the session itself (with `_session_check`, first thing,
    # in the same trip to the database thread as its policy check and its write); every other
    # message has its session checked here before its handler runs.
    session_checked_by_handler: frozenset[str] = frozenset()

    user: User
    session_key: str | None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Channels' AsyncConsumer.__call__, dispatching through `_dispatch_from`.
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        if self.channel_layer is None:
            await super().__call__(scope, receive, send)
            return
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        self.base_send = send
        try:
            await _dispatch_from((receive, self.channel_receive), self.dispatch)
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first closes stale database connections: one trip to the
        # database thread for every frame and every channel-layer event, so a broadcast to N
        # sockets queued N trips, one after another, on that one thread. Our handlers reach the
        # database only through live.db.database_trip, which does the same clean-up in that
        # thread around each call (keeping a usable connection), so the extra trip is left out.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        if user is None or not await database_trip(self._passes_gate)(user):
            await self.close()
            return
        self.user = user
        # Read on every event a room sends: the plain id, not an attribute through the lazy user.
        self.user_id: int = user.pk
        self.bucket = TokenBucket(rate=self.rate_per_second, burst=self.rate_burst)
        self.rate_refusals = 0
        # Joined before accept: a suspension issued during the handshake is not missed.
        await self.channel_layer.group_add(member_group(user.pk), self.channel_name)
        if not await self.authorise():
            await self.channel_layer.group_discard(member_group(user.pk), self.channel_name)
            await self.close()
            return
        await self.accept()
        _watch_add(self)
        await self.joined()

    def _passes_gate(self, user: Any) -> bool:
        if not getattr(user, "is_authenticated", False) or user.suspended_at is not None:
            return False
        if not has_mfa(user) or terms_pending_for(user) is not None:
            return False
        return _session_check(self.session_key, user.pk, touch=False)

    async def authorise(self) -> bool:
        return False

    async def joined(self) -> None:
        return None

    async def left(self) -> None:
        return None

    async def disconnect(self, code: int) -> None:
        _watch_discard(self)
        if getattr(self, "user", None) is not None:
            await self.channel_layer.group_discard(member_group(self.user.pk), self.channel_name)
            await self.left()

    async def watched(self, blocked_ids: set[int]) -> None:
        """The periodic check found the session live; `blocked_ids` are the member's blocks as
        just read. Reload here what else may change without an event."""
        return None

    async def refresh(self) -> None:
        """Reload what a block made or lifted changes (event `member.blocks_changed`)."""
        return None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        limit = self.max_frame_chars
        if text_data is None or len(text_data) > limit or (bytes_data and len(bytes_data) > limit):
            await self.close(code=CLOSE_TOO_BIG)
            return
        if not self.bucket.take():
            self.rate_refusals += 1
            if self.rate_refusals >= self.max_rate_refusals:
                await self.close(code=CLOSE_RATE_LIMITED)
            else:
                await self.send_error("rate_limited")
            return
        self.rate_refusals = 0
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            content = None
        kind = content.get("type") if isinstance(content, dict) else None
        if not (isinstance(kind, str) and kind in self.session_checked_by_handler):
            if not await database_trip(_session_check)(self.session_key, self.user.pk, touch=True):
                await self.close(code=CLOSE_SIGNED_OUT)
                return
        if content is None:
            await self.send_error("bad_request")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler_name = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler_name is None:
            await self.send_error("unknown_type")
            return
        await getattr(self, handler_name)(content)

    async def _run(self, call: Any, **kwargs: Any) -> Any:
        """Call a service; its refusals become error frames (never a crash of the socket)."""
        try:
            return await database_trip(call)(**kwargs)
        except ValidationError as error:
            await self.send_error("invalid", error.messages)
        except (PermissionDenied, Http404):
            await self.send_error("forbidden")
        return None

    async def send_error(self, code: str, detail: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code}
        if detail is not None:
            frame["detail"] = detail
        await self.send_json(frame)

    # Channel-layer event from accounts/staff services (see accounts.services.member_group).
    async def member_suspended(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)

    # Channel-layer event from live.receivers: a block involving this member was made or lifted.
    async def member_blocks_changed(self, event: dict[str, Any]) -> None:
        await self.refresh()


class MeetupRoomConsumer(MemberSocketConsumer):
    """/ws/live/meetups/<id>/: a meetup's room for its registered participants while it is open."""

    handlers = {
        "chat.post": "handle_chat_post",
        "hand.raise": "handle_hand_raise",
        "hand.lower": "handle_hand_lower",
        "reaction.add": "handle_reaction_add",
        "message.report": "handle_message_report",
        "room.mute": "handle_room_mute",
        "room.unmute": "handle_room_unmute",
        "room.lock": "handle_room_lock",
        "room.unlock": "handle_room_unlock",
        "room.end": "handle_room_end",
        "room.crisis": "handle_room_crisis",
        "participant.remove": "handle_participant_remove",
        "message.hide": "handle_message_hide",
    }
    session_checked_by_handler = frozenset({"chat.post"})

    meetup: Meetup
    registration: MeetupRegistration
    blocked_ids: set[int]
    present: bool = False

    # --- connection ---------------------------------------------------------------------------
    async def authorise(self) -> bool:
        self.meetup_id = int(self.scope["url_route"]["kwargs"]["meetup_id"])
        return bool(await database_trip(self._reload)())

    def _reload(self) -> bool:
        """Fresh meetup and registration for the policy checks; True while the member may be in."""
        if not 0 < self.meetup_id < 2**63:
            return False  # no meetup has such a key: the database is not asked
        # One query for both while the member is registered (every message of a participant),
        # compiled once per process (core/prepared.py, decision 0013).
        found = _REGISTRATION_WITH_MEETUP.instances(self.meetup_id, self.user.pk)
        registration = cast(MeetupRegistration, found[0]) if found else None
        meetup = registration.meetup if registration is not None else Meetup.objects.filter(pk=self.meetup_id).first()
        if meetup is None:
            return False
        self.meetup = meetup
        if registration is not None:
            self.registration = registration
        if not hasattr(self, "blocked_ids"):
            self.blocked_ids = self._load_blocks()
        return can_join_meetup(self.user, meetup, registration)

    def _load_blocks(self) -> set[int]:
        forget_cached_blocks(self.user)
        return blocked_user_ids(self.user)

    async def joined(self) -> None:
        await self.channel_layer.group_add(services.room_group(self.meetup_id), self.channel_name)
        welcome = await database_trip(self._enter)()
        self.present = True
        await self.send_json(welcome)

    def _enter(self) -> dict[str, Any]:
        services.presence_enter(registration=self.registration)
        history = [self._for_me(message) for message in chat_history(self.meetup, self.user)]
        return {
            "type": "room.welcome",
            "history": history,
            "participants": self._visible_participants(presence(self.meetup)),
            "room": {
                "chat_muted": self.meetup.chat_muted,
                "locked": self.meetup.locked,
                "can_moderate": can_moderate_room(self.user, self.meetup),
                "can_hide": can_hide_chat_message(self.user, self.meetup),
            },
            "reaction_kinds": [{"kind": kind, "label": str(label)} for kind, label in ReactionKind.choices],
        }

    async def left(self) -> None:
        await self.channel_layer.group_discard(services.room_group(self.meetup_id), self.channel_name)
        if self.present:
            self.present = False
            await database_trip(services.presence_leave)(registration=self.registration)

    async def refresh(self) -> None:
        self.blocked_ids = await database_trip(self._load_blocks)()

    async def watched(self, blocked_ids: set[int]) -> None:
        self.blocked_ids = blocked_ids

    # --- per-recipient shaping --------------------------------------------------------------------
    def _for_me(self, message: dict[str, Any]) -> dict[str, Any]:
        shaped = {key: value for key, value in message.items() if key != "author_id"}
        shaped["mine"] = message.get("author_id") == self.user.pk
        return shaped

    def _visible_participants(self, participants: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Blocks hide members from each other here as everywhere (see decision 0007).
        return [
            {key: value for key, value in participant.items() if key != "user_id"}
            for participant in participants
            if participant["user_id"] not in self.blocked_ids
        ]

    # --- incoming messages, each authorised through the policies -------------------------------------
    async def _allowed(self, policy: Any) -> bool:
        """Reload the room and apply `policy`; answer 'forbidden' (or close if gone) when refused."""
        still_in = await database_trip(self._reload)()
        if not still_in:
            await self.close(code=CLOSE_REMOVED)
            return False
        if not await database_trip(policy)():
            await self.send_error("forbidden")
            return False
        return True

    def _may_post(self) -> bool:
        return can_post_in_room(self.user, self.meetup, self.registration)

    def _may_moderate(self) -> bool:
        return can_moderate_room(self.user, self.meetup)

    def _may_take_part(self) -> bool:
        return can_join_meetup(self.user, self.meetup, self.registration)

    async def handle_chat_post(self, content: dict[str, Any]) -> None:
        outcome, detail = await database_trip(self._chat_post)(content.get("body"), content.get("content_note", ""))
        if outcome == "signed_out":
            await self.close(code=CLOSE_SIGNED_OUT)
        elif outcome == "removed":
            await self.close(code=CLOSE_REMOVED)
        elif outcome:
            await self.send_error(outcome, detail)

    def _chat_post(self, body: Any, note: Any) -> tuple[str, Any]:
        """The hot path, in one trip to the database thread: the session (this type is in
        `session_checked_by_handler`), the room and the policy re-read, then the write. Returns
        ("", None) when posted, else what went wrong and its detail."""
        if not _session_check(self.session_key, self.user.pk, touch=True):
            return "signed_out", None
        if not isinstance(body, str) or not isinstance(note, str):
            return "bad_request", None
        if not self._reload():
            return "removed", None
        if not self._may_post():
            return "forbidden", None
        try:
            services.chat_message_post(actor=self.user, meetup=self.meetup, body=body, content_note=note)
        except ValidationError as error:
            return "invalid", error.messages
        except (PermissionDenied, Http404):
            return "forbidden", None
        return "", None

    async def handle_hand_raise(self, content: dict[str, Any]) -> None:
        if await self._allowed(self._may_take_part):
            await self._run(services.hand_set, actor=self.user, registration=self.registration, raised=True)

    async def handle_hand_lower(self, content: dict[str, Any]) -> None:
        if await self._allowed(self._may_take_part):
            await self._run(services.hand_set, actor=self.user, registration=self.registration, raised=False)

    def _message_in_room(self, message_id: Any) -> ChatMessage | None:
        if not isinstance(message_id, int):
            return None
        message = ChatMessage.objects.filter(pk=message_id, meetup_id=self.meetup_id, hidden_at__isnull=True).first()
        if message is None or message.author_id in self.blocked_ids:
            return None
        return message

    async def handle_reaction_add(self, content: dict[str, Any]) -> None:
        if not await self._allowed(self._may_take_part):
            return
        message = await database_trip(self._message_in_room)(content.get("message_id"))
        if message is None:
            await self.send_error("not_found")
            return
        await self._run(services.reaction_add, actor=self.user, message=message, kind=str(content.get("kind", "")))

    def _report(self, message_id: Any, reason: str, details: str) -> Report:
        if not isinstance(message_id, int):
            raise Http404
        reportable, target = reportable_get_for_user(self.user, "live.chatmessage", message_id)
        return report_content_create(actor=self.user, reportable=reportable, target=target, reason=reason, details=details)

    async def handle_message_report(self, content: dict[str, Any]) -> None:
        reason, details = content.get("reason"), content.get("details", "")
        if reason not in ReportReason.values or not isinstance(details, str):
            await self.send_error("bad_request")
            return
        if not await self._allowed(self._may_take_part):
            return
        if await self._run(self._report, message_id=content.get("message_id"), reason=reason, details=details[:2000]) is None:
            return
        await self.send_json({"type": "report.received", "message_id": content.get("message_id")})

    async def _host_action(self, call: Any, **kwargs: Any) -> None:
        if await self._allowed(self._may_moderate):
            await self._run(call, actor=self.user, meetup=self.meetup, **kwargs)

    async def handle_room_mute(self, content: dict[str, Any]) -> None:
        await self._host_action(services.room_mute, muted=True)

    async def handle_room_unmute(self, content: dict[str, Any]) -> None:
        await self._host_action(services.room_mute, muted=False)

    async def handle_room_lock(self, content: dict[str, Any]) -> None:
        await self._host_action(services.room_lock, locked=True)

    async def handle_room_unlock(self, content: dict[str, Any]) -> None:
        await self._host_action(services.room_lock, locked=False)

    async def handle_room_end(self, content: dict[str, Any]) -> None:
        await self._host_action(services.meetup_end)

    async def handle_room_crisis(self, content: dict[str, Any]) -> None:
        await self._host_action(services.room_crisis_show)

    def _participant(self, participant_id: Any) -> MeetupRegistration | None:
        if not isinstance(participant_id, int):
            return None
        return MeetupRegistration.objects.filter(pk=participant_id, meetup_id=self.meetup_id).first()

    async def handle_participant_remove(self, content: dict[str, Any]) -> None:
        if not await self._allowed(self._may_moderate):
            return
        registration = await database_trip(self._participant)(content.get("participant_id"))
        if registration is None:
            await self.send_error("not_found")
            return
        await self._run(services.participant_remove, actor=self.user, meetup=self.meetup, registration=registration)

    def _may_hide(self) -> bool:
        return can_hide_chat_message(self.user, self.meetup)

    async def handle_message_hide(self, content: dict[str, Any]) -> None:
        if not await self._allowed(self._may_hide):
            return
        message = await database_trip(self._message_to_hide)(content.get("message_id"))
        if message is None:
            await self.send_error("not_found")
            return
        await self._run(services.chat_message_hide, actor=self.user, meetup=self.meetup, message=message)

    def _message_to_hide(self, message_id: Any) -> ChatMessage | None:
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            return None
        return ChatMessage.objects.filter(pk=message_id, meetup_id=self.meetup_id, hidden_at__isnull=True).first()

    # --- channel-layer events from live.services ---------------------------------------------------
    async def chat_message(self, event: dict[str, Any]) -> None:
        author_id = event["author_id"]
        if author_id in self.blocked_ids:
            return
        if author_id != self.user_id:
            # Encoded once by the service for everyone but the author: forwarded as it is.
            await self.send(text_data=event["frame"])
            return
        frame = json.loads(event["frame"])
        frame["message"]["mine"] = True
        frame["warnings"] = event["warnings"]
        await self.send_json(frame)

    async def chat_reactions(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "chat.reactions", "message_id": event["message_id"], "reactions": event["reactions"]})

    async def room_presence(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "presence", "participants": self._visible_participants(event["participants"])})

    async def room_state(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "room.state", "chat_muted": event["chat_muted"], "locked": event["locked"]})

    async def room_removed(self, event: dict[str, Any]) -> None:
        if event["user_id"] == self.user.pk:
            self.present = False  # the service already cleared this member's presence
            await self.send_json({"type": "removed"})
            await self.close(code=CLOSE_REMOVED)

    async def room_ended(self, event: dict[str, Any]) -> None:
        self.present = False
        await self.send_json({"type": "ended"})
        await self.close(code=CLOSE_ENDED)

    async def room_crisis(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "crisis", "url": reverse("safety:crisis")})

    async def chat_hidden(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "chat.hidden", "message_id": event["message_id"]})


# --- video rooms: WebRTC signalling -------------------------------------------------------------------
PEER_ID = re.compile(r"[0-9a-f]{16}")
MAX_SDP_CHARS = 24_000
MAX_CANDIDATE_CHARS = 1_000
# A message is authorised against the room's spec; the spec itself is re-read at most this often
# (and at once on a recheck event from its owner, a removal, the end, a block or a suspension).
SPEC_RECHECK_SECONDS = 10.0


def signal_payload(content: dict[str, Any]) -> dict[str, Any] | None:
    """The relayed part of a signalling message, strictly shaped; None for anything else.

    {"type": "signal", "to": <peer>, "description": {"type": "offer"|"answer", "sdp": str}}
    {"type": "signal", "to": <peer>, "candidate": {"candidate": str, "sdpMid": str|null,
                                                   "sdpMLineIndex": int|null, "usernameFragment": str|null} | null}
    """
    if set(content) == {"type", "to", "description"}:
        description = content["description"]
        if (
            not isinstance(description, dict) or set(description) != {"type", "sdp"}
            or description["type"] not in ("offer", "answer")
            or not isinstance(description["sdp"], str) or len(description["sdp"]) > MAX_SDP_CHARS
        ):
            return None
        return {"description": {"type": description["type"], "sdp": description["sdp"]}}
    if set(content) == {"type", "to", "candidate"}:
        candidate = content["candidate"]
        if candidate is None:  # end of candidates
            return {"candidate": None}
        if not isinstance(candidate, dict) or not set(candidate) <= {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"}:
            return None
        text, mid = candidate.get("candidate"), candidate.get("sdpMid")
        index, fragment = candidate.get("sdpMLineIndex"), candidate.get("usernameFragment")
        if not isinstance(text, str) or len(text) > MAX_CANDIDATE_CHARS:
            return None
        if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
            return None
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 64):
            return None
        if fragment is not None and (not isinstance(fragment, str) or len(fragment) > 256):
            return None
        return {"candidate": {"candidate": text, "sdpMid": mid, "sdpMLineIndex": index, "usernameFragment": fragment}}
    return None


class VideoRoomConsumer(MemberSocketConsumer):
    """/ws/rooms/<kind>/<ref>/?token=<join token>: a video room's signalling for its participants.

    The handshake needs the member's session (as every socket), a join token issued to them for
    this room in the last minute, and `may_enter_room`. The server relays offers, answers and ICE
    candidates only to the addressed peer; media flow between the browsers. Peers are known by a
    random id per connection and by their public name, never by account id.
    """

    # SDP offers are a few kilobytes, and ICE candidates come in bursts when peers connect.
    max_frame_chars = 32 * 1024
    rate_per_second = 50.0
    rate_burst = 150
    handlers = {
        "signal": "handle_signal",
        "participant.remove": "handle_participant_remove",
        "room.end": "handle_room_end",
        "room.crisis": "handle_room_crisis",
    }

    spec: RoomSpec
    peer_id: str = ""
    present = False
    welcomed = False

    # --- connection ---------------------------------------------------------------------------
    async def authorise(self) -> bool:
        kwargs = self.scope["url_route"]["kwargs"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        return bool(await database_trip(self._authorise)(kwargs["kind"], kwargs["ref"], token))

    def _authorise(self, kind: str, ref: str, token: str) -> bool:
        spec = room_spec(kind, ref)
        if spec is None:
            return False
        try:
            join_token_check(token, user_id=self.user.pk, spec=spec)
        except JoinTokenInvalid:
            return False
        self.spec = spec
        self.peers: dict[str, dict[str, Any]] = {}
        self.blocked_ids = self._load_blocks()
        return self._refusal() == ""

    def _refusal(self) -> str:
        """Why this member may not be in the room now ("" when they may): reads its state."""
        state = video_room_state(self.spec, self.user)
        self.spec_checked = time.monotonic()
        if state.removed:
            return "removed"
        if state.ended or self.spec.external or not may_enter_room(self.user, self.spec):
            return "closed"
        return ""

    def _load_blocks(self) -> set[int]:
        forget_cached_blocks(self.user)
        return blocked_user_ids(self.user)

    async def joined(self) -> None:
        self.peer_id = secrets.token_hex(8)
        self.group = video.room_group(self.spec.key)
        await self.channel_layer.group_add(self.group, self.channel_name)
        try:
            presence_row, replaced = await database_trip(services.video_room_enter)(
                member=self.user, spec=self.spec, peer_id=self.peer_id, channel_name=self.channel_name
            )
        except services.VideoRoomFull:
            await self.send_json({"type": "full"})
            await self.close(code=CLOSE_FULL)
            return
        except services.VideoRoomRefused:
            await self.send_json({"type": "closed"})
            await self.close(code=CLOSE_ENDED)
            return
        self.present = True
        self.room_id = presence_row.room_id
        if replaced is not None:
            await self.channel_layer.send(replaced, {"type": "video.replaced"})
        self._set_peers(await database_trip(video_presence)(self.room_id))
        self.welcomed = True
        await self.send_json({
            "type": "welcome",
            "peer": self.peer_id,
            "is_host": self.user.pk in self.spec.host_ids,
            "closes_at": self.spec.closes_at.isoformat(),
            "peers": self._visible_peers(),
        })
        self.closer: asyncio.Task[None] | None = asyncio.create_task(self._close_when_over())

    async def left(self) -> None:
        closer = getattr(self, "closer", None)
        if closer is not None:
            closer.cancel()
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await self._give_up_place()

    async def _give_up_place(self) -> None:
        # Also before a close by the server: the others see this member go at once, not only when
        # the ASGI server reports the disconnect.
        if self.present:
            self.present = False
            await database_trip(services.video_room_leave)(spec=self.spec, peer_id=self.peer_id)

    async def member_suspended(self, event: dict[str, Any]) -> None:
        await self._give_up_place()
        await super().member_suspended(event)

    async def _close_when_over(self) -> None:
        """The room closes ENTRY_AFTER after its end: re-read then (the owner may have moved it)."""
        while True:
            delay = (self.spec.closes_at - timezone.now()).total_seconds()
            if delay > 0:
                await asyncio.sleep(min(delay + 0.05, 3600))
                # Re-read the owner's spec: the end may have moved, or the room closed meanwhile.
                refusal = await database_trip(self._reload)()
                if refusal:
                    await self._cut_off(refusal)
                    return
                continue
            await self._cut_off("closed")
            return

    async def _cut_off(self, reason: str) -> None:
        await self._give_up_place()
        await self.send_json({"type": reason})
        await self.close(code=CLOSE_REMOVED if reason == "removed" else CLOSE_ENDED)

    async def _recheck(self) -> bool:
        refusal = await database_trip(self._reload)()
        if refusal:
            await self._cut_off(refusal)
            return False
        return True

    def _reload(self) -> str:
        spec = room_spec(self.spec.kind, self.spec.ref)
        if spec is None:
            return "closed"
        self.spec = spec
        return self._refusal()

    async def refresh(self) -> None:
        """Block changes: blocks, entry, and the presence row."""
        self.blocked_ids = await database_trip(self._load_blocks)()
        await self._still_here()

    async def watched(self, blocked_ids: set[int]) -> None:
        """The periodic check (once a minute): blocks as read with the session, then entry and
        the presence row (which this keeps fresh, see PRESENCE_STALE_AFTER)."""
        self.blocked_ids = blocked_ids
        await self._still_here()

    async def _still_here(self) -> None:
        if not self.welcomed or not await self._recheck():
            return
        if self.present and not await database_trip(services.video_presence_touch)(peer_id=self.peer_id):
            self.present = False
            await self._cut_off("closed")
            return
        await self.send_json({"type": "presence", "peers": self._visible_peers()})

    # --- peers --------------------------------------------------------------------------------------
    def _set_peers(self, peers: list[dict[str, Any]]) -> None:
        self.peers = {peer["peer"]: peer for peer in peers if peer["peer"] != self.peer_id}

    def _visible_peers(self) -> list[dict[str, Any]]:
        # Blocks hide members from each other (decision 0007): no presence, no signalling.
        return [
            {"peer": peer_id, "name": peer["name"], "is_host": peer["user_id"] in self.spec.host_ids}
            for peer_id, peer in self.peers.items()
            if peer["user_id"] not in self.blocked_ids
        ]

    async def _peer(self, peer_id: str) -> dict[str, Any] | None:
        peer = self.peers.get(peer_id)
        if peer is None:
            # A peer that joined a moment ago: its presence event may still be on its way.
            self._set_peers(await database_trip(video_presence)(self.room_id))
            peer = self.peers.get(peer_id)
            if peer is not None and self.welcomed:
                await self.send_json({"type": "presence", "peers": self._visible_peers()})
        if peer is None or peer["user_id"] in self.blocked_ids:
            return None
        return peer

    # --- incoming messages ------------------------------------------------------------------------
    async def _still_in(self) -> bool:
        """Every message: the entry rule on the current spec (re-read every few seconds)."""
        if not self.welcomed:
            return False
        if time.monotonic() - self.spec_checked > SPEC_RECHECK_SECONDS:
            return await self._recheck()
        if not may_enter_room(self.user, self.spec):
            await self._cut_off("closed")
            return False
        return True

    async def handle_signal(self, content: dict[str, Any]) -> None:
        target = content.get("to")
        payload = signal_payload(content)
        if payload is None or not isinstance(target, str) or not PEER_ID.fullmatch(target):
            await self.send_error("bad_request")
            return
        if not await self._still_in():
            return
        peer = await self._peer(target)
        if peer is None:
            await self.send_error("unknown_peer", target)
            return
        await self.channel_layer.send(peer["channel"], {
            "type": "video.signal", "from": self.peer_id, "from_user": self.user.pk, "to": target, "payload": payload,
        })

    async def _host_allowed(self) -> bool:
        if not await self._still_in():
            return False
        if not may_host_room(self.user, self.spec):
            await self.send_error("forbidden")
            return False
        return True

    async def handle_participant_remove(self, content: dict[str, Any]) -> None:
        target = content.get("peer")
        if set(content) != {"type", "peer"} or not isinstance(target, str) or not PEER_ID.fullmatch(target):
            await self.send_error("bad_request")
            return
        if await self._host_allowed():
            await self._run(services.video_participant_remove, actor=self.user, spec=self.spec, peer_id=target)

    async def handle_room_end(self, content: dict[str, Any]) -> None:
        if await self._host_allowed():
            await self._run(services.video_room_end, actor=self.user, spec=self.spec)

    async def handle_room_crisis(self, content: dict[str, Any]) -> None:
        if await self._host_allowed():
            await self._run(services.video_room_crisis_show, actor=self.user, spec=self.spec)

    # --- channel-layer events from live.services ---------------------------------------------------
    async def video_signal(self, event: dict[str, Any]) -> None:
        if event["to"] != self.peer_id or not self.welcomed:
            return
        sender = await self._peer(event["from"])
        if sender is None or sender["user_id"] != event["from_user"]:
            return
        await self.send_json({"type": "signal", "from": event["from"], **event["payload"]})

    async def video_presence(self, event: dict[str, Any]) -> None:
        self._set_peers(event["peers"])
        if self.welcomed:
            await self.send_json({"type": "presence", "peers": self._visible_peers()})

    async def video_removed(self, event: dict[str, Any]) -> None:
        if event["user_id"] == self.user.pk:
            self.present = False  # the service already took this member's place away
            await self._cut_off("removed")

    async def video_ended(self, event: dict[str, Any]) -> None:
        self.present = False
        await self._cut_off("ended")

    async def video_crisis(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "crisis", "url": reverse("safety:crisis")})

    async def video_replaced(self, event: dict[str, Any]) -> None:
        self.present = False  # the new socket holds this member's place now
        await self.send_json({"type": "replaced"})
        await self.close(code=CLOSE_REPLACED)

    async def video_recheck(self, event: dict[str, Any]) -> None:
        if self.welcomed:
            await self._recheck()
