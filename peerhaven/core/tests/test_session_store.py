"""The session engine's read (one statement, decision 0012), as the sockets use it, and the websocket
session middleware."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from channels.sessions import CookieMiddleware
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.utils import timezone

from peerhaven.core.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from peerhaven.core.sessions import SessionStore as OurSessionStore
from peerhaven.core.sessions import sessions_in_database
from peerhaven.core.websocket_sessions import SocketSessionMiddleware
from peerhaven.live.consumers import _session_check

pytestmark = pytest.mark.django_db


def _session(user_id: int, **values: Any) -> SessionStore:
    store = SessionStore()
    now = time.time()
    store[SESSION_KEY] = str(user_id)
    store[SESSION_LOGIN_AT] = now
    store[SESSION_LAST_SEEN] = now
    for key, value in values.items():
        store[key] = value
    store.create()
    return store


def test_it_reads_what_djangos_store_wrote() -> None:
    written = _session(41, colour="teal")
    read = OurSessionStore(session_key=written.session_key)
    assert read["colour"] == "teal"
    assert sessions_in_database()
    assert _session_check(written.session_key, 41, touch=False)
    assert not _session_check(written.session_key, 42, touch=False)


def test_an_expired_or_unknown_session_is_no_session() -> None:
    written = _session(41)
    Session.objects.filter(session_key=written.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    read = OurSessionStore(session_key=written.session_key)
    assert read.load() == {}
    assert read.session_key is None
    assert not _session_check(written.session_key, 41, touch=False)
    assert not _session_check("no-such-session-key-000000000000", 41, touch=False)


def test_data_signed_for_another_store_is_refused() -> None:
    written = _session(41)
    # Signed with the right key but another salt (another store class's name): not decoded.
    forged = signing.dumps(
        {SESSION_KEY: "41"}, salt="django.contrib.sessions.OtherStore", compress=True
    )
    Session.objects.filter(session_key=written.session_key).update(session_data=forged)
    assert OurSessionStore(session_key=written.session_key).load() == {}


def test_what_this_store_writes_djangos_store_reads() -> None:
    ours = OurSessionStore()
    ours[SESSION_KEY] = "41"
    ours.create()
    assert SessionStore(session_key=ours.session_key)[SESSION_KEY] == "41"


def test_touching_a_session_saves_it_for_djangos_own_store() -> None:
    written = _session(41)
    Session.objects.filter(session_key=written.session_key).update(
        session_data=SessionStore().encode(
            {SESSION_KEY: "41", SESSION_LOGIN_AT: time.time(), SESSION_LAST_SEEN: time.time() - 120}
        )
    )
    assert _session_check(written.session_key, 41, touch=True)
    seen = SessionStore(session_key=written.session_key)[SESSION_LAST_SEEN]
    assert time.time() - seen < 5


@pytest.mark.asyncio
async def test_the_websocket_middleware_gives_the_session_and_the_servers_own_send() -> None:
    key = "k" * 32
    got: dict[str, Any] = {}

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        got["send"], got["session"] = send, scope["session"]

    async def send(message: Any) -> None:
        return None

    app = CookieMiddleware(SocketSessionMiddleware(inner))
    scope = {
        "type": "websocket",
        "headers": [(b"cookie", f"sessionid={key}".encode())],
        "path": "/ws/",
    }
    await app(scope, None, send)
    assert got["send"] is send  # no wrapper around every frame
    assert got["session"].session_key == key


@pytest.mark.asyncio
async def test_the_middleware_leaves_http_to_channels_own_wrapper() -> None:
    got: dict[str, Any] = {}

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        got["send"] = send

    async def send(message: Any) -> None:
        return None

    app = CookieMiddleware(SocketSessionMiddleware(inner))
    await app({"type": "http", "headers": [], "path": "/"}, None, send)
    assert got["send"] is not send
