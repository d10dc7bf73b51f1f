"""Scale-out: two real ASGI server processes (daphne) sharing one database and Redis (the
channels-redis layer) behave as one. A member connected to server A receives the chat message
another member sent through server B, and a removal decided on B cuts off the member on A.

The servers use the test database itself: PostgreSQL's test database when the suite runs on
PostgreSQL, or a file copy of SQLite's in-memory test database. Redis is REDIS_URL (this test
worker's database) or, when the pass runs without it, the local Redis at redis://127.0.0.1:6379/0;
without a reachable Redis the test is skipped (and fails under PEERHAVEN_REQUIRE_SERVICES=1)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import need_service, sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.live.consumers import CLOSE_REMOVED
from peerhaven.live.models import Meetup
from peerhaven.live.services import meetup_create, meetup_register

# Serialized like the consumer tests: a plain transactional flush would re-create content types
# under them (post_migrate) and break their restore in the same worker.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[3]
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
STARTUP_SECONDS = 60
FRAME_TIMEOUT = 15.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_url() -> str:
    url = settings.REDIS_URL or LOCAL_REDIS
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        need_service(f"Redis is not reachable at {urlparse(url).hostname}:{urlparse(url).port} (two ASGI servers share it)")
    return str(url)


def _database_url(workdir: Path) -> str:
    """A URL at which other processes see the test database as it is now."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(str(db["USER"] or ""), safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(str(db["PASSWORD"]), safe="")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return f"postgresql://{auth}@{host}/{db['NAME']}"
    assert connection.vendor == "sqlite"
    # SQLite's test database lives in this process's memory: the servers get a file copy.
    path = workdir / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def ws(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:]) if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _server_env(workdir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "PEERHAVEN_TEST_DB")) and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # The sessions and encrypted fields this process wrote must read the same there.
        PEERHAVEN_SECRET_KEY=settings.SECRET_KEY,
        PEERHAVEN_FIELD_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        PEERHAVEN_DEBUG="1",
        PEERHAVEN_TESTING="1",
        PEERHAVEN_VAR_DIR=str(workdir / "var"),
        PEERHAVEN_PRIVATE_MEDIA=str(workdir / "var" / "private"),
        PEERHAVEN_LOG_LEVEL="WARNING",
        EMAIL_URL="locmem://",
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(name: str, workdir: Path, env: dict[str, str]) -> Server:
    port = _free_port()
    log = workdir / f"server-{name}.log"
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return Server(name=name, port=port, process=process, log=log)


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server {server.name} exited:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return  # 503 "degraded" (no worker heartbeat) still serves
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError(f"server {server.name} did not answer in {STARTUP_SECONDS}s:\n{server.log_tail()}")


@dataclass
class Room:
    meetup: Meetup
    host: User
    alice: User
    bob: User
    alice_registration: int


def _room() -> Room:
    host = make_member(verified=True, roles=("facilitator",))
    start = timezone.now() + dt.timedelta(minutes=5)
    meetup = meetup_create(actor=host, title="Across two nodes", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=10)
    alice, bob = make_member(verified=True), make_member(verified=True)
    registrations = [meetup_register(actor=member, meetup=meetup) for member in (alice, bob)]
    return Room(meetup=meetup, host=host, alice=alice, bob=bob, alice_registration=registrations[0].pk)


def _cookie(user: User) -> str:
    client = sign_in(Client(), user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


@pytest.fixture
def room_on_two_servers(tmp_path: Path) -> Iterator[tuple[Room, dict[str, str], Server, Server]]:
    redis_url = _redis_url()
    room = _room()
    cookies = {name: _cookie(getattr(room, name)) for name in ("host", "alice", "bob")}
    env = _server_env(tmp_path, _database_url(tmp_path), redis_url)
    servers = [_start("A", tmp_path, env), _start("B", tmp_path, env)]
    try:
        for server in servers:
            _wait_until_up(server)
        yield room, cookies, servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


async def _connect(server: Server, path: str, cookie: str) -> Any:
    from websockets.asyncio.client import connect

    return await connect(server.ws(path), origin=server.origin, additional_headers={"Cookie": cookie},  # type: ignore[arg-type]
                         open_timeout=FRAME_TIMEOUT)


async def _next(socket: Any, kind: str) -> dict[str, Any]:
    """The next frame of `kind`, skipping presence updates and the like."""
    deadline = time.monotonic() + FRAME_TIMEOUT
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == kind:
            return dict(frame)


async def _chat(socket: Any, body: str) -> dict[str, Any]:
    """The chat message with `body` (a socket also receives its own member's messages)."""
    while True:
        frame = await _next(socket, "chat.message")
        if frame["message"]["body"] == body:
            return frame


async def _closed_code(socket: Any) -> int | None:
    from websockets.exceptions import ConnectionClosed

    deadline = time.monotonic() + FRAME_TIMEOUT
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.wait_for(socket.recv(), timeout=max(0.1, deadline - time.monotonic()))
    return socket.close_code  # type: ignore[no-any-return]


async def _converse(room: Room, cookies: dict[str, str], a: Server, b: Server) -> None:
    path = f"/ws/live/meetups/{room.meetup.pk}/"
    alice = await _connect(a, path, cookies["alice"])
    bob = await _connect(b, path, cookies["bob"])
    host = await _connect(b, path, cookies["host"])
    try:
        for socket in (alice, bob, host):
            await _next(socket, "room.welcome")

        # Through B, to A.
        text = f"Hello from node B {uuid.uuid4().hex[:8]}"
        await bob.send(json.dumps({"type": "chat.post", "body": text}))
        received = await _chat(alice, text)
        assert received["message"]["mine"] is False
        assert "author_id" not in received["message"]
        # And back: through A, to B.
        reply = f"Hello from node A {uuid.uuid4().hex[:8]}"
        await alice.send(json.dumps({"type": "chat.post", "body": reply}))
        assert (await _chat(bob, reply))["message"]["mine"] is False

        # The host on B removes Alice, whose socket is on A: it closes at once.
        registration = room.alice_registration
        await host.send(json.dumps({"type": "participant.remove", "participant_id": registration}))
        assert (await _next(alice, "removed"))["type"] == "removed"
        assert await _closed_code(alice) == CLOSE_REMOVED
        # Bob, on B, stays in and sees her leave.
        presence = await _next(bob, "presence")
        assert all(participant["id"] != registration for participant in presence["participants"])
    finally:
        for socket in (alice, bob, host):
            await socket.close()


def test_a_message_sent_through_one_server_reaches_a_member_on_the_other(
    room_on_two_servers: tuple[Room, dict[str, str], Server, Server],
) -> None:
    room, cookies, a, b = room_on_two_servers
    try:
        asyncio.run(asyncio.wait_for(_converse(room, cookies, a, b), timeout=60))
    except Exception as error:
        raise AssertionError(
            f"{error!r}\n--- server A log ---\n{a.log_tail()}\n--- server B log ---\n{b.log_tail()}"
        ) from error
