"""`make bench` (live): chat broadcast through the real stack against a raw `websockets` server.

What runs, all on loopback and in this one run:
  - ours: uvicorn serving config.asgi (the production ASGI app, DEBUG off), as deployment.md runs
    it for /ws/ with its default settings (BENCH_LIVE_SERVER=daphne measures daphne, the server of
    `make run` and the browser tests, instead), with the meetup room
    consumer, on a throw-away SQLite database, with the in-memory channel layer and, when a Redis
    is reachable (BENCH_REDIS_URL, default redis://127.0.0.1:6379/15), again with channels-redis;
  - raw: a minimal `websockets` server (one process, asyncio) that broadcasts what it receives to
    every connection with `websockets.broadcast`, and echoes otherwise.

For N = 100 and 1,000 connected clients (one asyncio client process, no compression on either
side): the time from sending one chat message until every client has it (median and p95 over
BENCH_LIVE_ROUNDS rounds) and the broadcast rate N / time; the ratio ours / raw is the figure that
counts (goal >= 0.5). With 1,000 connections held: the round-trip p50/p99 of one frame sent by each
connection in turn (ours: the consumer's whole receive path, i.e. size and rate limits, session
check, JSON decoding, dispatch, answered with its error frame for an unknown type; raw: an echo);
and the server's memory per connection (RSS growth / connections).

The N listeners are sockets of one registered member (every socket joins the room and its presence
list); the chat fan-out per socket does the same work for one member or many. A room's presence
list goes out at most once a second (live.services, coalesced), so joins no longer cost the room
a message each. The poster is the host, with its own socket. No production limit is changed: the
meetup's capacity is the ordinary one, and the poster stays within the per-connection rate limit.
The load average (1, 5, 15 minutes) is recorded after each size's rounds: the machine is shared.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from run import BENCH_DIR, PY, ROOT, bench_env, free_port, machine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake

LIVE_DIR = BENCH_DIR / "live"
SIZES = [int(size) for size in os.environ.get("BENCH_LIVE_SIZES", "100,1000").split(",")]
# channels-redis at the largest size doubles the run's length; BENCH_LIVE_REDIS_SIZES=100,1000 adds it.
REDIS_SIZES = [int(size) for size in os.environ.get("BENCH_LIVE_REDIS_SIZES", "100").split(",") if size]
# Single rounds at 100 clients spread by half or more on two shared cores: 30 rounds give a median
# that moves less from run to run than 10 did (both servers get the same number).
ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "30"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
# Joins in flight at once. Each join does a few database round trips on the consumers' one
# database thread; daphne's accept timeout (5 s by default, none in uvicorn) is raised for the
# bench so that a queue of joins is measured rather than dropped.
CONNECT_CONCURRENCY = 20
ACCEPT_TIMEOUT_SECONDS = "600"
SERVER = os.environ.get("BENCH_LIVE_SERVER", "uvicorn")
QUIET_SECONDS = 3.0
DELIVERY_TIMEOUT_SECONDS = 30.0
ECHO_SAMPLES = 500
ECHO_BUDGET_SECONDS = 120.0
SETTLE_LIMIT_SECONDS = 300.0
# A quick run may write its section elsewhere (BENCH_LIVE_REPORT=/tmp/live.md) and leave docs/ alone.
REPORT = Path(os.environ.get("BENCH_LIVE_REPORT", str(ROOT / "docs" / "benchmarks.md")))
START, END = "<!-- bench:live:start -->", "<!-- bench:live:end -->"

SETUP_SCRIPT = r"""
import datetime as dt, json, time, django
django.setup()
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from peerhaven.accounts.models import Profile, Role, RoleGrant, TermsAcceptance, TermsVersion, User
from peerhaven.live.services import meetup_create, meetup_register

def member(email, pseudonym):
    user = User.objects.create_user(email=email, password="bench-password-123")
    user.verification_status = "verified"
    user.verified_until = timezone.localdate() + dt.timedelta(days=365)
    user.save()
    Profile.objects.get_or_create(user=user, defaults={"pseudonym": pseudonym, "display_name": pseudonym})
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())
    for version in TermsVersion.objects.all():
        TermsAcceptance.objects.get_or_create(user=user, terms_version=version)
    return user

def session_for(user):
    session = SessionStore()
    now = time.time()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["peerhaven_login_at"] = now
    session["peerhaven_last_seen"] = now
    session.create()
    return session.session_key

host = member("bench-host@example.org", "Bench host")
RoleGrant.objects.get_or_create(user=host, role=Role.FACILITATOR)
listener = member("bench-listener@example.org", "Bench listener")
start = timezone.now()
meetup = meetup_create(actor=host, title="Bench room", description="", starts_at=start,
                       ends_at=start + dt.timedelta(hours=4), capacity=10)
meetup_register(actor=listener, meetup=meetup)
print(json.dumps({"meetup": meetup.pk, "host": session_for(host), "listener": session_for(listener)}))
"""

RAW_SERVER = r"""
import asyncio, sys
from websockets.asyncio.server import broadcast, serve

CLIENTS = set()

async def handler(socket):
    CLIENTS.add(socket)
    try:
        async for message in socket:
            if message.startswith('{"type": "broadcast"'):
                broadcast(CLIENTS, message)
            else:
                await socket.send(message)
    finally:
        CLIENTS.discard(socket)

async def main(port):
    async with serve(handler, "127.0.0.1", port, compression=None, max_size=2**20):
        await asyncio.get_running_loop().create_future()

asyncio.run(main(int(sys.argv[1])))
"""


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Target:
    """One server under test and how to talk to it."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    headers: dict[str, str] = field(default_factory=dict)  # listener's
    poster_headers: dict[str, str] = field(default_factory=dict)
    path: str = "/"
    origin: str = ""
    # (text to send for a broadcast carrying `marker`) and (text to send for one round trip)
    broadcast_frame: Callable[[str], str] = str
    echo_frame: Callable[[int], str] = str
    is_echo_reply: Callable[[str], bool] = lambda text: True

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{self.path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


class Crowd:
    """N client sockets with one reader each; records when each saw the current marker."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.marker = "\x00"
        self.seen_at: dict[int, float] = {}
        self.all_seen = asyncio.Event()
        self.last_frame = time.monotonic()
        self.frames = 0
        self.replies: dict[int, asyncio.Future[float]] = {}
        self.frame_bytes = 0
        self.refused = 0
        self.first_delivery = 0.0
        self.lost = 0
        self.partial: list[int] = []

    async def _open(self, headers: dict[str, str]) -> ClientConnection:
        for attempt in range(5):
            try:
                return await connect(
                    self.target.url, origin=self.target.origin or None,  # type: ignore[arg-type]
                    additional_headers=headers, compression=None, open_timeout=60, max_size=2**22,
                    ping_interval=None,
                )
            except (OSError, TimeoutError, InvalidHandshake):
                self.refused += 1
                if attempt == 4:
                    raise
                await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def grow_to(self, size: int) -> None:
        semaphore = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one() -> None:
            async with semaphore:
                socket = await self._open(self.target.headers)
            # A socket's index is its place in `sockets` (handshakes may finish out of order), so
            # that the echo of sockets[i] is matched by the reader of that very socket.
            index = len(self.sockets)
            self.sockets.append(socket)
            self.readers.append(asyncio.create_task(self._read(index, socket)))

        await asyncio.gather(*(one() for _ in range(len(self.sockets), size)))

    async def _read(self, index: int, socket: ClientConnection) -> None:
        async for message in socket:
            self.frames += 1
            self.last_frame = time.monotonic()
            text = message if isinstance(message, str) else message.decode()
            if self.marker in text:
                self.seen_at.setdefault(index, time.perf_counter())
                self.frame_bytes = len(text)
                if len(self.seen_at) >= len(self.sockets):
                    self.all_seen.set()
            elif index in self.replies and self.target.is_echo_reply(text):
                future = self.replies.pop(index)
                if not future.done():
                    future.set_result(time.perf_counter())

    async def settle(self) -> float:
        """Wait until no frame has arrived for QUIET_SECONDS (joins' presence traffic drained)."""
        started = time.monotonic()
        while time.monotonic() - self.last_frame < QUIET_SECONDS:
            if time.monotonic() - started > SETTLE_LIMIT_SECONDS:
                raise RuntimeError("the room never went quiet")
            await asyncio.sleep(0.1)
        return time.monotonic() - started

    async def broadcast_once(self, poster: ClientConnection) -> float | None:
        """Seconds until the last client had the message, or None if some never got it (their
        count is added to `lost`)."""
        self.marker = f"bench-{uuid.uuid4().hex}"
        self.seen_at = {}
        self.all_seen = asyncio.Event()
        started = time.perf_counter()
        await poster.send(self.target.broadcast_frame(self.marker))
        try:
            await asyncio.wait_for(self.all_seen.wait(), timeout=DELIVERY_TIMEOUT_SECONDS)
        except TimeoutError:
            self.lost += len(self.sockets) - len(self.seen_at)
            self.partial.append(len(self.seen_at))
            return None
        self.first_delivery = min(self.seen_at.values()) - started
        return max(self.seen_at.values()) - started

    async def round_trips(self) -> tuple[list[float], int]:
        """One frame from each of up to ECHO_SAMPLES connections (evenly spread), in turn; gives up
        after ECHO_BUDGET_SECONDS. Returns the round trips and how many got no answer in time."""
        loop = asyncio.get_running_loop()
        samples: list[float] = []
        unanswered = 0
        step = max(1, len(self.sockets) // ECHO_SAMPLES)
        budget = time.monotonic() + ECHO_BUDGET_SECONDS
        for index in range(0, len(self.sockets), step):
            if time.monotonic() > budget:
                break
            future: asyncio.Future[float] = loop.create_future()
            self.replies[index] = future
            started = time.perf_counter()
            await self.sockets[index].send(self.target.echo_frame(index))
            try:
                samples.append(await asyncio.wait_for(future, timeout=10) - started)
            except TimeoutError:
                unanswered += 1
                self.replies.pop(index, None)
        return samples, unanswered

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()


async def drain(socket: ClientConnection) -> None:
    async for _message in socket:
        pass


async def measure(target: Target, sizes: list[int]) -> dict[str, Any]:
    crowd = Crowd(target)
    poster = await crowd._open(target.poster_headers)
    poster_reader = asyncio.create_task(drain(poster))
    result: dict[str, Any] = {"sizes": {}}
    try:
        await crowd.grow_to(5)
        await crowd.settle()
        for _ in range(3):  # warm-up
            await crowd.broadcast_once(poster)
            await asyncio.sleep(0.25)
        rss_before, held_before = rss_kib(target.process.pid), len(crowd.sockets)
        for size in sizes:
            joined = time.monotonic()
            await crowd.grow_to(size)
            settle = await crowd.settle()
            join_seconds = time.monotonic() - joined
            times, firsts = [], []
            crowd.lost, crowd.partial = 0, []
            for _ in range(ROUNDS):
                took = await crowd.broadcast_once(poster)
                if took is not None:
                    times.append(took)
                    firsts.append(crowd.first_delivery)
                elif len(crowd.partial) >= 2 and not times:
                    break  # the server is not keeping up: two failed rounds say enough
                # The poster keeps within the room's per-connection rate limit (5 a second).
                await asyncio.sleep(0.25)
            figures: dict[str, Any] = {
                "load": list(os.getloadavg()),
                "complete_rounds": len(times), "attempted_rounds": len(times) + len(crowd.partial),
                "lost_deliveries": crowd.lost, "partial_deliveries": crowd.partial,
                "join_s": join_seconds, "quiet_after_s": settle,
                "median_ms": None, "p95_ms": None, "first_ms": None, "rate": None,
            }
            if times:
                median = statistics.median(times)
                figures.update(
                    median_ms=median * 1000, p95_ms=percentile(times, 0.95) * 1000,
                    first_ms=statistics.median(firsts) * 1000, rate=size / median,
                )
            result["sizes"][size] = figures
            print(f"  {target.name}: {size} clients: last client median "
                  f"{figures['median_ms'] or float('nan'):.1f} ms; joining took {join_seconds:.1f} s; "
                  f"{len(times)}/{figures['attempted_rounds']} rounds complete, deliveries in failed rounds "
                  f"{crowd.partial}", flush=True)
        held = len(crowd.sockets)
        result["frame_bytes"] = crowd.frame_bytes
        result["handshakes_retried"] = crowd.refused
        result["rss_per_connection_kib"] = (rss_kib(target.process.pid) - rss_before) / (held - held_before)
        result["held"] = held
        samples, unanswered = await crowd.round_trips()
        result["echo_samples"], result["echo_unanswered"] = len(samples), unanswered
        result["echo_p50_ms"] = percentile(samples, 0.50) * 1000 if samples else None
        result["echo_p99_ms"] = percentile(samples, 0.99) * 1000 if samples else None
        result["load"] = list(os.getloadavg())
        print(f"  {target.name}: round trip with {held} held: {result}", flush=True)
    finally:
        await crowd.close()
        await poster.close()
        poster_reader.cancel()
    return result


def wait_for_port(port: int, process: subprocess.Popen[bytes], http: bool) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited ({process.returncode})")
        try:
            if http:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/hello", timeout=1)  # noqa: S310 - loopback
            else:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def ours(env: dict[str, str], setup: dict[str, Any], layer: str) -> Target:
    port = free_port()
    log = (LIVE_DIR / f"{SERVER}-{layer.replace(' ', '-')}.log").open("ab")
    if SERVER == "daphne":
        command = [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                   "--websocket_connect_timeout", ACCEPT_TIMEOUT_SECONDS, "config.asgi:application"]
    else:
        # The production command (deployment.md), quieter: access lines are not what is measured.
        command = [PY, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                   "config.asgi:application"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    wait_for_port(port, process, http=True)

    def cookie(key: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={key}"}

    return Target(
        name=f"ours ({layer})", port=port, process=process,
        headers=cookie(setup["listener"]), poster_headers=cookie(setup["host"]),
        path=f"/ws/live/meetups/{setup['meetup']}/", origin=f"http://localhost:{port}",
        broadcast_frame=lambda marker: json.dumps({"type": "chat.post", "body": f"Welcome, everyone. {marker}"}),
        echo_frame=lambda index: json.dumps({"type": "bench.ping", "n": index}),
        is_echo_reply=lambda text: '"unknown_type"' in text,
    )


def raw() -> Target:
    port = free_port()
    process = subprocess.Popen([PY, "-c", RAW_SERVER, str(port)], cwd=ROOT, start_new_session=True)
    wait_for_port(port, process, http=False)
    # The same size as our chat frame (~330 bytes of JSON), so both move the same bytes.
    padding = "x" * 240

    return Target(
        name="raw websockets", port=port, process=process,
        broadcast_frame=lambda marker: json.dumps({"type": "broadcast", "body": f"Welcome, everyone. {marker}", "pad": padding}),
        echo_frame=lambda index: json.dumps({"type": "echo", "n": index}),
    )


def run_target(start: Callable[[], Target], sizes: list[int] = SIZES) -> dict[str, Any]:
    target = start()
    try:
        print(f"- {target.name}", flush=True)
        return asyncio.run(measure(target, sizes))
    finally:
        target.stop()


def prepare(env: dict[str, str]) -> dict[str, Any]:
    shutil.rmtree(LIVE_DIR, ignore_errors=True)
    LIVE_DIR.mkdir(parents=True)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    output = subprocess.run([PY, "-c", SETUP_SCRIPT], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                            capture_output=True, text=True, check=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def redis_reachable(url: str) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False
    return True


def main() -> int:
    if sys.argv[1:2] == ["--report-from"]:
        # Re-render the docs section from a run's printed JSON (no measuring).
        text = Path(sys.argv[2]).read_text()
        write_report(json.JSONDecoder().raw_decode(text[text.index("\n{") + 1:])[0])
        return 0
    fd_limit = raise_fd_limit()
    needed = max(SIZES) * 2 + 200
    if fd_limit < needed:
        print(f"the open-files limit is {fd_limit}; {needed} are needed (ulimit -n)", file=sys.stderr)
        return 1
    env = bench_env()
    env.update({
        "DATABASE_URL": f"sqlite:///{LIVE_DIR / 'live.sqlite3'}",
        "PEERHAVEN_VAR_DIR": str(LIVE_DIR),
        "PEERHAVEN_PRIVATE_MEDIA": str(LIVE_DIR / "private"),
    })
    setup = prepare(env)
    results: dict[str, dict[str, Any]] = {}
    results["raw"] = run_target(raw)
    results["memory"] = run_target(lambda: ours(env, setup, "in-memory layer"))
    if REDIS_SIZES and redis_reachable(REDIS_URL):
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        results["redis"] = run_target(
            lambda: ours({**env, "REDIS_URL": REDIS_URL}, setup, "channels-redis"), REDIS_SIZES
        )
    elif REDIS_SIZES:
        print(f"Redis not reachable at {REDIS_URL}: the channels-redis figures are left out", file=sys.stderr)
    report = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "server": SERVER,
        "results": results,
    }
    print(json.dumps(report, indent=2, default=str))
    write_report(report)
    return 0


def _server_text(server: str) -> str:
    if server == "daphne":
        return "daphne (one process; the server of `make run` and the browser tests)"
    return ("uvicorn (one process, as deployment.md runs it for `/ws/`: its defaults, i.e. uvloop and "
            "the `websockets` sans-I/O protocol)")


def _load(values: list[float] | None) -> str:
    return "n/a" if not values else " / ".join(f"{value:.1f}" for value in values)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def write_report(report: dict[str, Any]) -> None:
    results = report["results"]
    raw_result = results["raw"]
    lines = [
        START,
        "## Live: chat broadcast, round trips and memory per connection (`bench/bench_live.py`)",
        "",
        f"Run of {report['when']}. Machine: {report['machine']}.",
        "",
        f"Ours: {_server_text(report.get('server', 'daphne'))} serving `config.asgi` with DEBUG off "
        "on SQLite, the meetup room consumer, one chat message posted by the host over its socket. "
        "Raw baseline, same run: a "
        "`websockets` server broadcasting with `websockets.broadcast` (frames of the same size). One "
        f"asyncio client process, no compression, loopback; {ROUNDS} rounds per size. Rate = clients / "
        "median time until the last client has the message; ratio = our rate / raw rate (goal >= 0.5). "
        f"Joins run {CONNECT_CONCURRENCY} at a time"
        + (f"; daphne's accept timeout is raised to {ACCEPT_TIMEOUT_SECONDS} s for the run (5 s by "
           "default; uvicorn, used in production, has none)." if report.get("server", "daphne") == "daphne"
           else "."),
        "",
        "| server | clients | first client ms | last client: median ms | p95 ms | deliveries/s | ratio to raw | rounds complete | joining the sockets, s | load avg after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label in (("raw", "raw websockets"), ("memory", "ours, in-memory layer"), ("redis", "ours, channels-redis")):
        if key not in results:
            continue
        for size, figures in results[key]["sizes"].items():
            raw_rate = raw_result["sizes"].get(size, {}).get("rate")
            ratio = figures["rate"] / raw_rate if figures["rate"] and raw_rate else None
            lines.append(
                f"| {label} | {size} | {_fmt(figures['first_ms'])} | {_fmt(figures['median_ms'])} "
                f"| {_fmt(figures['p95_ms'])} | {_fmt(figures['rate'], 0)} | {_fmt(ratio, 2)} "
                f"| {figures['complete_rounds']}/{figures['attempted_rounds']} | {figures['join_s']:.1f} "
                f"| {_load(figures.get('load'))} |"
            )
    failed = [
        f"{label} at {size} clients: clients reached in each failed round {figures['partial_deliveries']}"
        for key, label in (("memory", "in-memory layer"), ("redis", "channels-redis"))
        for size, figures in results.get(key, {}).get("sizes", {}).items()
        if figures.get("partial_deliveries")
    ]
    if failed:
        lines += [
            "",
            "A round counts only when every client had the message within "
            f"{DELIVERY_TIMEOUT_SECONDS:.0f} s (the rounds stop after two failures). Failed rounds: "
            + "; ".join(failed) + ". The likely cause, from Channels' code: the in-memory layer "
            "drops a message that waited more than 60 s in a consumer's queue and then removes that "
            "consumer from every group (`InMemoryChannelLayer._clean_expired`), so sockets that fell "
            "behind during the joins stay open but no longer hear the room (nor their member group, "
            "which carries suspensions).",
        ]
    verdicts = []
    for key, label in (("memory", "in-memory layer"), ("redis", "channels-redis")):
        for size, figures in results.get(key, {}).get("sizes", {}).items():
            raw_rate = raw_result["sizes"].get(size, {}).get("rate")
            ratio = figures["rate"] / raw_rate if figures["rate"] and raw_rate else None
            verdict = "no complete round" if ratio is None else ("met" if ratio >= 0.5 else "missed")
            verdicts.append(f"{label}, {size} clients: {verdict}")
    lines += [
        "",
        "Goal (ratio >= 0.5): " + "; ".join(verdicts) + ".",
        "",
        "\"First client\" is our posting path and the start of the fan-out: the frame's limits, "
        "then one trip to "
        "the consumers' database thread on its kept connection (decision 0014) that checks the "
        "session (one statement), reads room and registration in one query, applies the posting policy, writes the "
        "message (body encrypted), runs the PHI guard and commits; the event then goes to the event "
        "loop, and each socket's handler forwards the frame the service encoded once. The raw "
        "server only forwards. What remains is the per-socket cost of the stack each frame goes "
        "through (the channel layer's queue, one step of the event loop for the socket's reader, "
        "which dispatches the event itself, and the ASGI server's own send path; with daphne also autobahn and "
        "Twisted's write when the socket is writable), which "
        "the raw server, writing straight to its transports, does not have. From one round to the next "
        "the time to the last client varies by half or more on this two-core machine (the client "
        "process and the server's two threads share the cores), which is why the median of the rounds is given; the sockets' periodic session and block checks run "
        "once a minute for all of them together, in trips of at most 100 sessions, instead of two "
        "trips per socket.",
    ]
    lines += [
        "",
        f"With the connections held (the largest size): one frame from each of up to {ECHO_SAMPLES} "
        f"connections (evenly spread) in turn, within {ECHO_BUDGET_SECONDS:.0f} s, and "
        "the server's resident memory growth divided by the connections opened.",
        "",
        "| server | held | round trips (unanswered in 10 s) | p50 ms | p99 ms | memory per connection KiB | load avg after |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in (("raw", "raw websockets (echo)"), ("memory", "ours, in-memory layer"), ("redis", "ours, channels-redis")):
        if key not in results:
            continue
        figures = results[key]
        lines.append(
            f"| {label} | {figures['held']} | {figures['echo_samples']} ({figures['echo_unanswered']}) "
            f"| {_fmt(figures['echo_p50_ms'], 2)} | {_fmt(figures['echo_p99_ms'], 2)} "
            f"| {figures['rss_per_connection_kib']:.1f} | {_load(figures.get('load'))} |"
        )
    lines += [
        "",
        "Our round trip is the consumer's whole receive path (frame size and rate limits, the session "
        "check against the database, JSON decoding, dispatch), answered with its error frame for an "
        "unknown message type; the raw server echoes. The listeners are sockets of one registered "
        "member. A room's presence list goes out at most once a second (the first change at once, "
        "later ones folded into one snapshot read when it is sent), so N joins no longer cost N "
        "presence broadcasts to a growing room; the joining column is now the handshake and the "
        "join's own database work (session, gate, room, presence row, history). Load averages are "
        "those of the whole machine, shared with other work. No production limit was changed for "
        "the run.",
        END,
    ]
    section = "\n".join(lines)
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
