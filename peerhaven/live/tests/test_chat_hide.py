"""Hiding one chat message: the host, staff or a moderator; gone from every screen at once and
from the history; audited."""

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
from peerhaven.core.models import AuditEntry
from peerhaven.live.models import ChatMessage, Meetup
from peerhaven.live.policies import can_hide_chat_message
from peerhaven.live.selectors import chat_history
from peerhaven.live.services import (
    chat_message_hide,
    chat_message_post,
    meetup_create,
    meetup_register,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _own_channel_layer(settings: Any) -> Iterator[None]:
    layers = {key: dict(value) for key, value in settings.CHANNEL_LAYERS.items()}
    if "CONFIG" in layers["default"]:
        layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": f"test-{uuid.uuid4().hex[:8]}"}
    settings.CHANNEL_LAYERS = layers
    yield
    cache.clear()


def _meetup_with(*roles: tuple[str, ...]) -> tuple[Meetup, User, list[User]]:
    host = make_member(verified=True, roles=("facilitator",))
    start = timezone.now() + dt.timedelta(minutes=5)
    meetup = meetup_create(actor=host, title="Evening circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=10)
    people = []
    for member_roles in roles:
        member = make_member(verified=True, roles=member_roles)
        meetup_register(actor=member, meetup=meetup)
        people.append(member)
    return meetup, host, people


async def _connect(meetup: Meetup, user: User) -> WebsocketCommunicator:
    def _headers() -> list[tuple[bytes, bytes]]:
        client = sign_in(Client(), user)
        name = settings.SESSION_COOKIE_NAME
        return [(b"origin", b"http://localhost"), (b"cookie", f"{name}={client.cookies[name].value}".encode())]

    communicator = WebsocketCommunicator(application, f"/ws/live/meetups/{meetup.pk}/", headers=await database_sync_to_async(_headers)())
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=10))["type"] == "room.welcome"
    return communicator


async def _next(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    for _attempt in range(10):
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def test_it_removes_a_hidden_message_from_every_screen_and_the_history() -> None:
    meetup, host, (author, reader) = await database_sync_to_async(_meetup_with)((), ())
    host_socket, author_socket, reader_socket = [await _connect(meetup, user) for user in (host, author, reader)]
    await author_socket.send_json_to({"type": "chat.post", "body": "Something I should not have said"})
    posted = await _next(reader_socket, "chat.message")
    message_id = posted["message"]["id"]
    await host_socket.send_json_to({"type": "message.hide", "message_id": message_id})
    for communicator in (host_socket, author_socket, reader_socket):
        assert await _next(communicator, "chat.hidden") == {"type": "chat.hidden", "message_id": message_id}
    message = await database_sync_to_async(ChatMessage.objects.get)(pk=message_id)
    assert message.hidden_at is not None
    assert await database_sync_to_async(lambda: chat_history(meetup, reader))() == []
    entry = await database_sync_to_async(AuditEntry.objects.get)(action="meetup.chat_hide")
    assert entry.actor_id == host.pk and entry.data == {"message": message_id}
    assert "Something" not in str(entry.data)
    for communicator in (host_socket, author_socket, reader_socket):
        await communicator.disconnect()


async def test_it_refuses_hiding_to_participants_and_unknown_messages() -> None:
    meetup, _host, (author, reader) = await database_sync_to_async(_meetup_with)((), ())
    reader_socket = await _connect(meetup, reader)
    message, _warnings = await database_sync_to_async(chat_message_post)(actor=author, meetup=meetup, body="Hello")
    await reader_socket.send_json_to({"type": "message.hide", "message_id": message.pk})
    assert (await _next(reader_socket, "error"))["code"] == "forbidden"
    await database_sync_to_async(message.refresh_from_db)()
    assert message.hidden_at is None
    await reader_socket.disconnect()


async def test_it_lets_a_moderator_in_the_room_hide_a_message() -> None:
    meetup, host, (moderator, member) = await database_sync_to_async(_meetup_with)(("moderator",), ())
    assert await database_sync_to_async(can_hide_chat_message)(moderator, meetup)
    assert await database_sync_to_async(can_hide_chat_message)(host, meetup)
    assert not await database_sync_to_async(can_hide_chat_message)(member, meetup)
    moderator_socket = await _connect(meetup, moderator)
    await moderator_socket.send_json_to({"type": "message.hide", "message_id": 999_999})
    assert (await _next(moderator_socket, "error"))["code"] == "not_found"
    await moderator_socket.disconnect()


async def test_it_hides_a_message_once_and_only_in_its_own_meetup() -> None:
    meetup, host, (author,) = await database_sync_to_async(_meetup_with)(())
    other, _other_host, _people = await database_sync_to_async(_meetup_with)()
    message, _warnings = await database_sync_to_async(chat_message_post)(actor=author, meetup=meetup, body="Hello")

    def _hide_twice_and_elsewhere() -> None:
        from django.http import Http404

        chat_message_hide(actor=host, meetup=meetup, message=message)
        chat_message_hide(actor=host, meetup=meetup, message=message)
        with pytest.raises(Http404):
            chat_message_hide(actor=host, meetup=other, message=message)

    await database_sync_to_async(_hide_twice_and_elsewhere)()
    assert await database_sync_to_async(AuditEntry.objects.filter(action="meetup.chat_hide").count)() == 1
