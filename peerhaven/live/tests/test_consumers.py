"""The meetup room over a real ASGI stack: session cookie, Origin check, limits, policies,
removal, suspension, history and presence."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from config.asgi import application
from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.live import consumers
from peerhaven.live.models import ChatMessage, Meetup, MeetupRegistration
from peerhaven.live.services import meetup_create, meetup_register
from peerhaven.safety.models import Report
from peerhaven.safety.services import block_create

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _own_channel_layer(settings: Any) -> Iterator[None]:
    # Parallel test workers share one Redis: a prefix of our own keeps member.<id> groups apart.
    layers = {key: dict(value) for key, value in settings.CHANNEL_LAYERS.items()}
    if "CONFIG" in layers["default"]:
        layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": f"test-{uuid.uuid4().hex[:8]}"}
    settings.CHANNEL_LAYERS = layers
    yield
    # These tests commit, so what they read outside a transaction (the instance settings an
    # e-mail names, for one) may be cached; later tests in this worker must not see it.
    cache.clear()


def _cookie_headers(user: User, *, origin: bytes = b"http://localhost") -> list[tuple[bytes, bytes]]:
    client = sign_in(Client(), user)
    name = settings.SESSION_COOKIE_NAME
    return [(b"origin", origin), (b"cookie", f"{name}={client.cookies[name].value}".encode())]


def _room(*, capacity: int = 10, starts_in: dt.timedelta = dt.timedelta(minutes=5)) -> tuple[Meetup, User]:
    host = make_member(verified=True, roles=("facilitator",))
    start = timezone.now() + starts_in
    meetup = meetup_create(actor=host, title="Evening circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=capacity)
    return meetup, host


def _participant(meetup: Meetup, **kwargs: Any) -> User:
    member = make_member(verified=True, **kwargs)
    meetup_register(actor=member, meetup=meetup)
    return member


async def _connect(meetup: Meetup, user: User | None, **kwargs: Any) -> tuple[WebsocketCommunicator, bool, Any]:
    headers = await database_sync_to_async(_cookie_headers)(user, **kwargs) if user else [(b"origin", b"http://localhost")]
    communicator = WebsocketCommunicator(application, f"/ws/live/meetups/{meetup.pk}/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def _welcome(communicator: WebsocketCommunicator) -> dict[str, Any]:
    frame = await communicator.receive_json_from(timeout=10)
    assert frame["type"] == "room.welcome"
    return frame


async def _next(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next frame of `kind`, skipping presence updates and the like."""
    for _attempt in range(10):
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def _closed_with(communicator: WebsocketCommunicator, code: int) -> None:
    for _attempt in range(10):
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            assert output.get("code") == code
            return
    raise AssertionError("socket not closed")


async def test_it_refuses_an_anonymous_handshake() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    communicator, connected, _code = await _connect(meetup, None)
    assert not connected
    await communicator.disconnect()


async def test_it_refuses_a_foreign_origin() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    communicator, connected, _code = await _connect(meetup, member, origin=b"https://evil.example")
    assert not connected
    await communicator.disconnect()


async def test_it_refuses_members_who_are_not_registered_or_not_verified() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    stranger = await database_sync_to_async(make_member)(verified=True)
    unverified = await database_sync_to_async(make_member)()
    for user in (stranger, unverified):
        communicator, connected, _code = await _connect(meetup, user)
        assert not connected
        await communicator.disconnect()


async def test_it_refuses_a_room_that_is_not_open_yet() -> None:
    meetup, host = await database_sync_to_async(_room)(starts_in=dt.timedelta(hours=2))
    communicator, connected, _code = await _connect(meetup, host)
    assert not connected
    await communicator.disconnect()


async def test_it_refuses_a_session_past_its_idle_limit() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)

    def _stale_headers() -> list[tuple[bytes, bytes]]:
        client = sign_in(Client(), member)
        session = client.session
        session["peerhaven_last_seen"] = session["peerhaven_last_seen"] - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
        session.save()
        name = settings.SESSION_COOKIE_NAME
        return [(b"origin", b"http://localhost"), (b"cookie", f"{name}={client.cookies[name].value}".encode())]

    headers = await database_sync_to_async(_stale_headers)()
    communicator = WebsocketCommunicator(application, f"/ws/live/meetups/{meetup.pk}/", headers=headers)
    connected, _code = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_it_sends_history_to_late_joiners_and_presence_with_pseudonyms_only() -> None:
    meetup, host = await database_sync_to_async(_room)()
    early = await database_sync_to_async(_participant)(meetup)
    late = await database_sync_to_async(_participant)(meetup)
    first, connected, _code = await _connect(meetup, early)
    assert connected
    await _welcome(first)
    await first.send_json_to({"type": "chat.post", "body": "Hello, everyone", "content_note": "long day"})
    echo = await _next(first, "chat.message")
    assert echo["message"]["mine"] and echo["message"]["content_note"] == "long day"
    assert echo["warnings"] == []

    second, connected, _code = await _connect(meetup, late)
    assert connected
    welcome = await _welcome(second)
    assert [message["body"] for message in welcome["history"]] == ["Hello, everyone"]
    assert not welcome["history"][0]["mine"]
    names = {participant["name"] for participant in welcome["participants"]}
    assert names == {f"peer{early.pk}", f"peer{late.pk}"}
    assert early.email not in str(welcome) and "author_id" not in str(welcome) and "user_id" not in str(welcome)
    await first.disconnect()
    await second.disconnect()


async def test_it_warns_the_author_about_identifiers_without_blocking() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    author = await database_sync_to_async(_participant)(meetup)
    reader = await database_sync_to_async(_participant)(meetup)
    sender, _ok, _code = await _connect(meetup, author)
    receiver, _ok, _code = await _connect(meetup, reader)
    await _welcome(sender)
    await _welcome(receiver)
    await sender.send_json_to({"type": "chat.post", "body": "Call her at 555-867-5309 tonight"})
    echo = await _next(sender, "chat.message")
    assert any(warning["category"] == "phone" for warning in echo["warnings"])
    delivered = await _next(receiver, "chat.message")
    assert "warnings" not in delivered
    assert await database_sync_to_async(ChatMessage.objects.count)() == 1
    await sender.disconnect()
    await receiver.disconnect()


async def test_it_refuses_a_host_action_from_a_participant() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    communicator, _ok, _code = await _connect(meetup, member)
    await _welcome(communicator)
    await communicator.send_json_to({"type": "room.mute"})
    error = await _next(communicator, "error")
    assert error["code"] == "forbidden"
    refreshed = await database_sync_to_async(Meetup.objects.get)(pk=meetup.pk)
    assert not refreshed.chat_muted
    await communicator.disconnect()


async def test_it_keeps_a_muted_room_quiet_except_for_the_host() -> None:
    meetup, host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    hosting, _ok, _code = await _connect(meetup, host)
    joining, _ok, _code = await _connect(meetup, member)
    await _welcome(hosting)
    await _welcome(joining)
    await hosting.send_json_to({"type": "room.mute"})
    state = await _next(joining, "room.state")
    assert state["chat_muted"] is True
    await joining.send_json_to({"type": "chat.post", "body": "May I?"})
    assert (await _next(joining, "error"))["code"] == "forbidden"
    await hosting.send_json_to({"type": "chat.post", "body": "We begin in a minute."})
    assert (await _next(joining, "chat.message"))["message"]["author_is_host"] is True
    await hosting.disconnect()
    await joining.disconnect()


async def test_it_closes_on_an_oversize_frame() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    communicator, _ok, _code = await _connect(meetup, member)
    await _welcome(communicator)
    await communicator.send_to(text_data="x" * (consumers.MAX_FRAME_CHARS + 1))
    await _closed_with(communicator, consumers.CLOSE_TOO_BIG)
    await communicator.disconnect()


async def test_it_rate_limits_a_flood_of_messages() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    communicator, _ok, _code = await _connect(meetup, member)
    await _welcome(communicator)
    for _message in range(40):
        await communicator.send_json_to({"type": "nothing.much"})
    codes = []
    while True:
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            assert output["code"] == consumers.CLOSE_RATE_LIMITED
            break
        codes.append(output.get("text", ""))
    assert any("rate_limited" in text for text in codes)
    await communicator.disconnect()


async def test_it_disconnects_a_removed_participant_at_once() -> None:
    meetup, host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    hosting, _ok, _code = await _connect(meetup, host)
    joining, _ok, _code = await _connect(meetup, member)
    await _welcome(hosting)
    welcome = await _welcome(joining)
    target = next(p["id"] for p in welcome["participants"] if p["name"] == f"peer{member.pk}")
    await hosting.send_json_to({"type": "participant.remove", "participant_id": target})
    assert (await _next(joining, "removed"))["type"] == "removed"
    await _closed_with(joining, consumers.CLOSE_REMOVED)
    await joining.disconnect()
    again, connected, _code = await _connect(meetup, member)
    assert not connected
    await again.disconnect()
    await hosting.disconnect()


async def test_it_disconnects_a_suspended_member_at_once() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    staff = await database_sync_to_async(make_member)(verified=True, roles=("staff",))
    communicator, _ok, _code = await _connect(meetup, member)
    await _welcome(communicator)

    def _suspend() -> None:
        from peerhaven.accounts.services import member_suspend

        member_suspend(actor=staff, user=member)

    await database_sync_to_async(_suspend)()
    await _closed_with(communicator, consumers.CLOSE_SIGNED_OUT)
    await communicator.disconnect()


async def test_it_closes_every_socket_when_the_host_ends_the_meetup() -> None:
    meetup, host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    hosting, _ok, _code = await _connect(meetup, host)
    joining, _ok, _code = await _connect(meetup, member)
    await _welcome(hosting)
    await _welcome(joining)
    await hosting.send_json_to({"type": "room.end"})
    await _closed_with(joining, consumers.CLOSE_ENDED)
    await _closed_with(hosting, consumers.CLOSE_ENDED)
    await joining.disconnect()
    await hosting.disconnect()


async def test_it_shows_the_crisis_banner_to_the_whole_room() -> None:
    meetup, host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    hosting, _ok, _code = await _connect(meetup, host)
    joining, _ok, _code = await _connect(meetup, member)
    await _welcome(hosting)
    await _welcome(joining)
    await hosting.send_json_to({"type": "room.crisis"})
    assert (await _next(joining, "crisis"))["url"] == "/safety/crisis/"
    await joining.disconnect()
    await hosting.disconnect()


async def test_it_hides_messages_between_blocked_members() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    author = await database_sync_to_async(_participant)(meetup)
    blocker = await database_sync_to_async(_participant)(meetup)
    await database_sync_to_async(block_create)(actor=blocker, member=author)
    sender, _ok, _code = await _connect(meetup, author)
    await _welcome(sender)
    await sender.send_json_to({"type": "chat.post", "body": "Anyone else tired?"})
    await _next(sender, "chat.message")
    receiver, _ok, _code = await _connect(meetup, blocker)
    welcome = await _welcome(receiver)
    assert welcome["history"] == []
    assert all(p["name"] != f"peer{author.pk}" for p in welcome["participants"])
    await sender.send_json_to({"type": "chat.post", "body": "Second message"})
    await _next(sender, "chat.message")
    # Presence updates may arrive; the message must not.
    while not await receiver.receive_nothing(timeout=0.2):
        frame = await receiver.receive_json_from(timeout=10)
        assert frame["type"] != "chat.message"
    await sender.disconnect()
    await receiver.disconnect()


async def test_it_files_a_report_about_a_message() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    author = await database_sync_to_async(_participant)(meetup)
    reader = await database_sync_to_async(_participant)(meetup)
    sender, _ok, _code = await _connect(meetup, author)
    receiver, _ok, _code = await _connect(meetup, reader)
    await _welcome(sender)
    await _welcome(receiver)
    await sender.send_json_to({"type": "chat.post", "body": "Something unkind"})
    message = (await _next(receiver, "chat.message"))["message"]
    await receiver.send_json_to({"type": "message.report", "message_id": message["id"], "reason": "harassment"})
    assert (await _next(receiver, "report.received"))["message_id"] == message["id"]
    assert await database_sync_to_async(Report.objects.filter(reporter=reader, object_id=message["id"]).exists)()
    await sender.disconnect()
    await receiver.disconnect()


async def test_it_keeps_presence_counts_as_sockets_come_and_go() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    communicator, _ok, _code = await _connect(meetup, member)
    await _welcome(communicator)
    registration = await database_sync_to_async(MeetupRegistration.objects.get)(meetup=meetup, member=member)
    assert registration.connections == 1 and registration.entered_at is not None
    await communicator.disconnect()
    await database_sync_to_async(registration.refresh_from_db)()
    assert registration.connections == 0


async def test_it_closes_the_socket_once_the_session_has_ended() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    communicator, connected, _code = await _connect(meetup, member)
    assert connected
    await _welcome(communicator)

    def _sign_out_everywhere() -> None:
        from peerhaven.accounts.services import member_sessions_end

        member_sessions_end(user_id=member.pk)

    await database_sync_to_async(_sign_out_everywhere)()
    await communicator.send_json_to({"type": "chat.post", "body": "Still here?"})
    await _closed_with(communicator, consumers.CLOSE_SIGNED_OUT)
    assert not await database_sync_to_async(ChatMessage.objects.exists)()
    await communicator.disconnect()


async def test_it_lets_a_participant_raise_a_hand_and_react_to_a_message() -> None:
    meetup, host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    hosting, _ok, _code = await _connect(meetup, host)
    joining, _ok, _code = await _connect(meetup, member)
    await _welcome(hosting)
    await _welcome(joining)
    await joining.send_json_to({"type": "hand.raise"})
    for _attempt in range(5):
        frame = await _next(hosting, "presence")
        raised = [p for p in frame["participants"] if p["raised_hand"]]
        if raised:
            break
    assert [p["name"] for p in raised] == [f"peer{member.pk}"]
    await hosting.send_json_to({"type": "chat.post", "body": "Welcome, everyone."})
    message = (await _next(joining, "chat.message"))["message"]
    await joining.send_json_to({"type": "reaction.add", "message_id": message["id"], "kind": "thank_you"})
    update = await _next(hosting, "chat.reactions")
    assert update == {"type": "chat.reactions", "message_id": message["id"], "reactions": {"thank_you": 1}}
    await joining.send_json_to({"type": "reaction.add", "message_id": message["id"], "kind": "like"})
    assert (await _next(joining, "error"))["code"] == "invalid"
    await hosting.disconnect()
    await joining.disconnect()
