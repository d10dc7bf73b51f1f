"""The periodic check of open sockets (all of a process's sockets in one trip per interval) and
the database thread's kept connection (live.db)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.test import Client

from config.asgi import application
from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.live import consumers, db
from peerhaven.live.tests.test_consumers import _closed_with, _next, _participant, _room, _welcome
from peerhaven.safety.models import Block

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

INTERVAL = 0.3


@pytest.fixture(autouse=True)
def _short_interval(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(consumers, "SESSION_CHECK_SECONDS", INTERVAL)
    yield


def _signed_in(user: User) -> tuple[list[tuple[bytes, bytes]], str]:
    client = sign_in(Client(), user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [(b"origin", b"http://localhost"), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())], key


async def _open(meetup_id: int, headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/live/meetups/{meetup_id}/", headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    await _welcome(communicator)
    return communicator


async def _still_open(communicator: WebsocketCommunicator) -> None:
    await communicator.send_json_to({"type": "no.such.type"})
    assert (await _next(communicator, "error"))["code"] == "unknown_type"


def _idle_for_too_long(key: str) -> None:
    session = SessionStore(session_key=key)
    session["peerhaven_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()


async def test_it_closes_within_the_interval_every_socket_whose_session_went_idle_and_only_those(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meetup, _host = await database_sync_to_async(_room)()
    idle = await database_sync_to_async(_participant)(meetup)
    active = await database_sync_to_async(_participant)(meetup)
    idle_headers, idle_key = await database_sync_to_async(_signed_in)(idle)
    active_headers, _active_key = await database_sync_to_async(_signed_in)(active)
    trips: list[list[tuple[str | None, int]]] = []
    read = consumers._watch_read

    def counting_read(pairs: list[tuple[str | None, int]], users: dict[int, Any]) -> Any:
        trips.append(list(pairs))
        return read(pairs, users)

    monkeypatch.setattr(consumers, "_watch_read", counting_read)
    # Two sockets of one member in one browser (one session), one of another member.
    first = await _open(meetup.pk, idle_headers)
    second = await _open(meetup.pk, idle_headers)
    other = await _open(meetup.pk, active_headers)
    await database_sync_to_async(_idle_for_too_long)(idle_key)
    started = time.monotonic()
    await _closed_with(first, consumers.CLOSE_SIGNED_OUT)
    await _closed_with(second, consumers.CLOSE_SIGNED_OUT)
    assert time.monotonic() - started < 2 * INTERVAL + 5  # one interval, and a busy machine's slack
    await _still_open(other)
    # The three sockets were checked together: one trip, one read per (session, member) pair.
    assert any(sorted(user_id for _key, user_id in pairs) == sorted([idle.pk, active.pk]) for pairs in trips)
    assert all(len(pairs) <= 2 for pairs in trips)
    for communicator in (first, second, other):
        await communicator.disconnect()


async def test_its_check_applies_a_block_that_sent_no_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consumers, "SESSION_CHECK_SECONDS", 3600.0)  # the check is run by hand below
    meetup, _host = await database_sync_to_async(_room)()
    author = await database_sync_to_async(_participant)(meetup)
    blocker = await database_sync_to_async(_participant)(meetup)
    sender = await _open(meetup.pk, (await database_sync_to_async(_signed_in)(author))[0])
    receiver = await _open(meetup.pk, (await database_sync_to_async(_signed_in)(blocker))[0])
    # Written without the model's signals, so no socket hears of it but through the check.
    await database_sync_to_async(Block.objects.bulk_create)([Block(blocker=blocker, blocked=author)])
    await sender.send_json_to({"type": "chat.post", "body": "Before the check"})
    await _next(sender, "chat.message")
    assert (await _next(receiver, "chat.message"))["message"]["body"] == "Before the check"
    await consumers._watch_once(consumers._watches[asyncio.get_running_loop()])
    await sender.send_json_to({"type": "chat.post", "body": "After the check"})
    await _next(sender, "chat.message")
    await receiver.send_json_to({"type": "no.such.type"})
    kinds = []
    while not kinds or kinds[-1] != "error":
        kinds.append((await receiver.receive_json_from(timeout=10))["type"])
    assert "chat.message" not in kinds
    await sender.disconnect()
    await receiver.disconnect()


async def test_it_refuses_a_meetup_key_no_database_could_hold() -> None:
    meetup, _host = await database_sync_to_async(_room)()
    member = await database_sync_to_async(_participant)(meetup)
    headers, _key = await database_sync_to_async(_signed_in)(member)
    communicator = WebsocketCommunicator(application, f"/ws/live/meetups/{2**64}/", headers=headers)
    connected, _code = await communicator.connect()
    assert not connected
    await communicator.disconnect()


# --- the database thread's connection -----------------------------------------------------------------
# (Django never closes an in-memory SQLite database, the tests' one: closes are counted instead.)
def _touch() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return int(cursor.fetchone()[0])


def _leave_outside_autocommit() -> None:
    _touch()
    connection.set_autocommit(False)


@pytest.fixture
def closes() -> Iterator[list[str]]:
    """The closes of the database thread's connection while the test runs."""
    seen: list[str] = []

    def count() -> Any:
        wrapper = connections["default"]
        # Start from a connection just opened and kept. The tests' in-memory SQLite database is
        # never really closed (Django keeps it for the whole run), so one kept by an earlier test
        # of this worker may be past its time, and every trip would then count a close.
        wrapper.ensure_connection()
        wrapper.close_at = time.monotonic() + db.KEEP_SECONDS
        wrapper._peerhaven_kept_until = wrapper.close_at  # type: ignore[attr-defined]
        original = wrapper.close

        def close() -> None:
            seen.append(wrapper.alias)
            original()

        wrapper.close = close  # type: ignore[method-assign]
        return original

    def restore(original: Any) -> None:
        connections["default"].close = original  # type: ignore[method-assign]

    original = asyncio.run(db.database_trip(count)())
    yield seen
    asyncio.run(db.database_trip(restore)(original))


async def test_a_trip_leaves_its_connection_to_the_next_one(closes: list[str]) -> None:
    await db.database_trip(_touch)()
    await db.database_trip(_touch)()
    assert closes == []


async def test_a_connection_left_outside_autocommit_is_closed(closes: list[str]) -> None:
    await db.database_trip(_leave_outside_autocommit)()
    assert closes == ["default"]
    await db.database_trip(lambda: connection.set_autocommit(True))()


def _as_if_just_opened() -> float:
    _touch()
    connection.close_at = time.monotonic()  # what Django sets on connecting with CONN_MAX_AGE = 0
    return connection.close_at


def _closes_at() -> float:
    return float(connection.close_at)


async def test_a_new_connection_is_kept_for_its_time_then_closed(closes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    opened = await db.database_trip(_as_if_just_opened)()
    assert closes == []
    assert await db.database_trip(_closes_at)() == pytest.approx(opened + db.KEEP_SECONDS)
    monkeypatch.setattr(db, "KEEP_SECONDS", 0.0)
    await db.database_trip(_as_if_just_opened)()
    assert closes == ["default"]
