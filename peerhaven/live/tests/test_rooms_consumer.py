"""Video-room signalling over a real ASGI stack: join tokens, the entry rule, relaying only to the
addressed peer, the mesh limit, host controls, suspension, blocks, limits and closing time."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import pytest_asyncio
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from config.asgi import application
from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.services import member_suspend
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.live import consumers
from peerhaven.live.models import VideoRoomPresence, VideoRoomRemoval
from peerhaven.live.rooms import RoomSpec, room_changed
from peerhaven.live.tests.room_kind import SPECS, make_room
from peerhaven.live.video import join_token_issue
from peerhaven.safety.services import block_create

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Every communicator a test opened, to be disconnected when it ends: an application instance left
# running (its watchdog, its closing timer) would touch the database during the next test.
OPENED: list[WebsocketCommunicator] = []


@pytest_asyncio.fixture(autouse=True)
async def _disconnect_all() -> Any:
    yield
    while OPENED:
        await OPENED.pop().disconnect(timeout=5)


@pytest.fixture(autouse=True)
def _own_channel_layer(settings: Any) -> Iterator[None]:
    # Parallel test workers share one Redis: a prefix of our own keeps groups apart.
    layers = {key: dict(value) for key, value in settings.CHANNEL_LAYERS.items()}
    if "CONFIG" in layers["default"]:
        layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": f"test-{uuid.uuid4().hex[:8]}"}
    settings.CHANNEL_LAYERS = layers
    yield
    SPECS.clear()
    cache.clear()


def members(count: int) -> list[User]:
    return [make_member(verified=True) for _ in range(count)]


def _headers(user: User, origin: bytes) -> list[tuple[bytes, bytes]]:
    client = sign_in(Client(), user)
    name = settings.SESSION_COOKIE_NAME
    return [(b"origin", origin), (b"cookie", f"{name}={client.cookies[name].value}".encode())]


async def connect(
    spec: RoomSpec, user: User, *, token: str | None = None, origin: bytes = b"http://localhost"
) -> tuple[WebsocketCommunicator, bool]:
    headers = await database_sync_to_async(_headers)(user, origin)
    token = join_token_issue(user_id=user.pk, spec=spec) if token is None else token
    communicator = WebsocketCommunicator(application, f"/ws/rooms/{spec.kind}/{spec.ref}/?token={token}", headers=headers)
    OPENED.append(communicator)
    connected, _code = await communicator.connect()
    return communicator, connected


async def enter(spec: RoomSpec, user: User) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    communicator, connected = await connect(spec, user)
    assert connected
    welcome = await communicator.receive_json_from(timeout=10)
    assert welcome["type"] == "welcome", welcome
    return communicator, welcome


async def next_frame(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    for _attempt in range(20):
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def closed_with(communicator: WebsocketCommunicator, code: int, *, within: int = 20) -> list[dict[str, Any]]:
    """Frames (at most `within`) up to the close, which must carry `code`."""
    frames = []
    for _attempt in range(within):
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            assert output.get("code") == code, (output, frames)
            return frames
        frames.append(output)
    raise AssertionError("socket not closed")


async def peers_seen(communicator: WebsocketCommunicator, welcome: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The peer list once it has `count` entries (presence updates arrive as others come)."""
    peers = welcome["peers"]
    for _attempt in range(20):
        if len(peers) == count:
            return peers
        peers = (await next_frame(communicator, "presence"))["peers"]
    raise AssertionError(f"never saw {count} peers")


OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}


# --- the handshake ------------------------------------------------------------------------------
async def test_it_lets_participants_in_and_introduces_them_by_public_name_only() -> None:
    first, second = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([first, second])
    one, welcome_one = await enter(spec, first)
    assert welcome_one["peers"] == [] and not welcome_one["is_host"]
    two, welcome_two = await enter(spec, second)
    assert [peer["name"] for peer in welcome_two["peers"]] == [f"peer{first.pk}"]
    seen = await peers_seen(one, welcome_one, 1)
    assert seen[0]["name"] == f"peer{second.pk}" and seen[0]["peer"] == welcome_two["peer"]
    assert "user_id" not in str(seen) and "channel" not in str(welcome_two) and first.email not in str(welcome_two)
    await one.disconnect()
    await two.disconnect()


async def test_it_refuses_a_member_who_is_not_a_participant_even_with_a_token() -> None:
    participant, stranger = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([participant])
    communicator, connected = await connect(spec, stranger)
    assert not connected


async def test_it_refuses_bad_expired_and_foreign_tokens() -> None:
    first, second = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([first, second])
    other_room = await database_sync_to_async(make_room)([first, second])
    good = join_token_issue(user_id=first.pk, spec=spec)
    refused = [
        "",
        "not-a-token",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # tampered signature
        join_token_issue(user_id=second.pk, spec=spec),  # someone else's
        join_token_issue(user_id=first.pk, spec=other_room),  # another room's
    ]
    for token in refused:
        communicator, connected = await connect(spec, first, token=token)
        assert not connected, token
    with time_machine.travel(timezone.now() - dt.timedelta(seconds=61)):
        stale = join_token_issue(user_id=first.pk, spec=spec)
    communicator, connected = await connect(spec, first, token=stale)
    assert not connected
    communicator, connected = await connect(spec, first, token=good)
    assert connected
    await communicator.disconnect()


async def test_it_refuses_a_foreign_origin() -> None:
    (member,) = await database_sync_to_async(members)(1)
    spec = await database_sync_to_async(make_room)([member])
    _communicator, connected = await connect(spec, member, origin=b"https://evil.example")
    assert not connected


async def test_it_refuses_entry_outside_the_window() -> None:
    (member,) = await database_sync_to_async(members)(1)
    early = await database_sync_to_async(make_room)([member], starts_in=dt.timedelta(minutes=11))
    late = await database_sync_to_async(make_room)([member], starts_in=dt.timedelta(hours=-2), lasts=dt.timedelta(minutes=100))
    for spec in (early, late):
        _communicator, connected = await connect(spec, member)
        assert not connected


# --- signalling ------------------------------------------------------------------------------------
async def test_it_relays_signalling_only_to_the_addressed_peer() -> None:
    alice, bob, carol = await database_sync_to_async(members)(3)
    spec = await database_sync_to_async(make_room)([alice, bob, carol])
    a, welcome_a = await enter(spec, alice)
    b, welcome_b = await enter(spec, bob)
    c, welcome_c = await enter(spec, carol)
    await peers_seen(a, welcome_a, 2)
    await peers_seen(b, welcome_b, 2)
    await a.send_json_to({"type": "signal", "to": welcome_b["peer"], "description": OFFER})
    candidate = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0",
                 "sdpMLineIndex": 0, "usernameFragment": "abcd"}
    await a.send_json_to({"type": "signal", "to": welcome_b["peer"], "candidate": candidate})
    offer = await next_frame(b, "signal")
    assert offer == {"type": "signal", "from": welcome_a["peer"], "description": OFFER}
    relayed = await next_frame(b, "signal")
    assert relayed == {"type": "signal", "from": welcome_a["peer"], "candidate": candidate}
    # Carol hears nothing of it (presence updates aside).
    for _attempt in range(3):
        if await c.receive_nothing(timeout=0.3):
            break
        frame = await c.receive_json_from()
        assert frame["type"] == "presence", frame
    await a.disconnect()
    await b.disconnect()
    await c.disconnect()


async def test_it_refuses_signals_of_the_wrong_shape_or_to_unknown_peers() -> None:
    alice, bob = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([alice, bob])
    a, welcome_a = await enter(spec, alice)
    b, welcome_b = await enter(spec, bob)
    to = welcome_b["peer"]
    bad = [
        {"type": "signal", "to": to},
        {"type": "signal", "to": to, "description": {"type": "pranswer", "sdp": "v=0"}},
        {"type": "signal", "to": to, "description": {"type": "offer", "sdp": "v=0", "extra": 1}},
        {"type": "signal", "to": to, "description": {"type": "offer", "sdp": "x" * 24_001}},
        {"type": "signal", "to": to, "candidate": {"candidate": 5}},
        {"type": "signal", "to": to, "candidate": {"candidate": "c", "sdpMLineIndex": True}},
        {"type": "signal", "to": to, "candidate": {"candidate": "c", "evil": "x"}},
        {"type": "signal", "to": to, "description": OFFER, "candidate": None},
        {"type": "signal", "to": "../../x", "description": OFFER},
    ]
    for frame in bad:
        await a.send_json_to(frame)
        answer = await next_frame(a, "error")
        assert answer["code"] == "bad_request", frame
    await a.send_json_to({"type": "signal", "to": "0123456789abcdef", "description": OFFER})
    assert (await next_frame(a, "error"))["code"] == "unknown_peer"
    await a.send_json_to({"type": "signal", "to": welcome_a["peer"], "description": OFFER})
    assert (await next_frame(a, "error"))["code"] == "unknown_peer"  # not to oneself
    assert await b.receive_nothing(timeout=0.3) or (await b.receive_json_from())["type"] == "presence"
    await a.disconnect()
    await b.disconnect()


async def test_it_closes_on_an_oversize_frame() -> None:
    (member,) = await database_sync_to_async(members)(1)
    spec = await database_sync_to_async(make_room)([member])
    communicator, _welcome = await enter(spec, member)
    await communicator.send_to(text_data="x" * (32 * 1024 + 1))
    await closed_with(communicator, consumers.CLOSE_TOO_BIG)


async def test_it_lets_ice_bursts_through_but_limits_a_flood() -> None:
    alice, bob = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([alice, bob])
    a, _welcome_a = await enter(spec, alice)
    b, welcome_b = await enter(spec, bob)
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
    for _index in range(100):  # a burst that a meetup's mesh produces when people arrive
        await a.send_json_to({"type": "signal", "to": welcome_b["peer"], "candidate": candidate})
    relayed = 0
    while relayed < 100:
        frame = await b.receive_json_from(timeout=10)
        relayed += frame["type"] == "signal"
    for _index in range(200):
        await a.send_to(text_data='{"type": "signal"}')
    frames = await closed_with(a, consumers.CLOSE_RATE_LIMITED, within=250)
    assert any('"rate_limited"' in frame.get("text", "") for frame in frames)
    await b.disconnect()


# --- the mesh ---------------------------------------------------------------------------------------
async def test_it_refuses_the_ninth_participant_kindly() -> None:
    people = await database_sync_to_async(members)(9)
    spec = await database_sync_to_async(make_room)(people)
    inside = [await enter(spec, member) for member in people[:8]]
    ninth, connected = await connect(spec, people[8])
    assert connected  # accepted, told why, then closed: the page can explain
    assert (await ninth.receive_json_from(timeout=10))["type"] == "full"
    await closed_with(ninth, consumers.CLOSE_FULL)
    # When someone leaves, the ninth can come in.
    await inside[0][0].disconnect()
    communicator, _welcome = await enter(spec, people[8])
    for other, _w in inside[1:]:
        await other.disconnect()
    await communicator.disconnect()
    assert await database_sync_to_async(VideoRoomPresence.objects.count)() == 0


async def test_it_lets_a_second_window_replace_the_first() -> None:
    (member,) = await database_sync_to_async(members)(1)
    spec = await database_sync_to_async(make_room)([member])
    first, _welcome = await enter(spec, member)
    second, _welcome_two = await enter(spec, member)
    assert (await next_frame(first, "replaced"))["type"] == "replaced"
    await closed_with(first, consumers.CLOSE_REPLACED)
    assert await database_sync_to_async(VideoRoomPresence.objects.count)() == 1
    await second.disconnect()


# --- host controls ---------------------------------------------------------------------------------
async def test_it_disconnects_a_removed_participant_at_once_and_keeps_them_out() -> None:
    host, guest, other = await database_sync_to_async(members)(3)
    spec = await database_sync_to_async(make_room)([host, guest, other], hosts=[host])
    h, welcome_h = await enter(spec, host)
    assert welcome_h["is_host"]
    g, welcome_g = await enter(spec, guest)
    o, welcome_o = await enter(spec, other)
    await peers_seen(h, welcome_h, 2)
    await h.send_json_to({"type": "participant.remove", "peer": welcome_g["peer"]})
    await next_frame(g, "removed")
    await closed_with(g, consumers.CLOSE_REMOVED)
    remaining = await peers_seen(o, welcome_o, 1)
    assert remaining[0]["peer"] == welcome_h["peer"]
    again, connected = await connect(spec, guest)
    assert not connected
    assert await database_sync_to_async(VideoRoomRemoval.objects.filter(member=guest).exists)()
    assert await database_sync_to_async(
        AuditEntry.objects.filter(action="video_room.participant_remove", actor_id=host.pk).exists
    )()
    await h.disconnect()
    await o.disconnect()


async def test_it_refuses_host_controls_to_participants_and_cannot_remove_a_host() -> None:
    host, guest = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([host, guest], hosts=[host])
    h, welcome_h = await enter(spec, host)
    g, _welcome_g = await enter(spec, guest)
    for frame in ({"type": "participant.remove", "peer": welcome_h["peer"]}, {"type": "room.end"}, {"type": "room.crisis"}):
        await g.send_json_to(frame)
        assert (await next_frame(g, "error"))["code"] == "forbidden"
    await h.send_json_to({"type": "participant.remove", "peer": welcome_h["peer"]})
    assert (await next_frame(h, "error"))["code"] == "forbidden"
    await h.disconnect()
    await g.disconnect()


async def test_it_ends_the_room_for_everyone_and_shows_crisis_resources() -> None:
    host, guest = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([host, guest], hosts=[host])
    h, _welcome_h = await enter(spec, host)
    g, _welcome_g = await enter(spec, guest)
    await h.send_json_to({"type": "room.crisis"})
    crisis = await next_frame(g, "crisis")
    assert crisis["url"] == "/safety/crisis/" or crisis["url"].endswith("/crisis/")
    await next_frame(h, "crisis")
    await h.send_json_to({"type": "room.end"})
    for communicator in (g, h):
        await next_frame(communicator, "ended")
        await closed_with(communicator, consumers.CLOSE_ENDED)
    _again, connected = await connect(spec, guest)
    assert not connected
    actions = await database_sync_to_async(
        lambda: set(AuditEntry.objects.filter(actor_id=host.pk).values_list("action", flat=True))
    )()
    assert {"video_room.crisis_show", "video_room.end"} <= actions


# --- suspension, blocks, owners' changes, closing time -----------------------------------------------
async def test_it_disconnects_a_suspended_member_at_once() -> None:
    member, other = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([member, other])
    m, _welcome = await enter(spec, member)
    o, welcome_o = await enter(spec, other)
    await database_sync_to_async(member_suspend)(actor=None, user=member)
    await closed_with(m, consumers.CLOSE_SIGNED_OUT)
    assert await peers_seen(o, welcome_o, 0) == []
    await o.disconnect()


async def test_it_separates_members_at_once_when_one_blocks_the_other() -> None:
    alice, bob = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([alice, bob])
    a, welcome_a = await enter(spec, alice)
    b, welcome_b = await enter(spec, bob)
    await peers_seen(a, welcome_a, 1)
    await database_sync_to_async(block_create)(actor=alice, member=bob)
    assert await peers_seen(a, {"peers": [1]}, 0) == []
    assert await peers_seen(b, {"peers": [1]}, 0) == []
    await b.send_json_to({"type": "signal", "to": welcome_a["peer"], "description": OFFER})
    assert (await next_frame(b, "error"))["code"] == "unknown_peer"
    await a.disconnect()
    await b.disconnect()


async def test_it_cuts_off_a_member_the_owner_no_longer_lists() -> None:
    alice, bob = await database_sync_to_async(members)(2)
    spec = await database_sync_to_async(make_room)([alice, bob])
    a, _welcome_a = await enter(spec, alice)
    b, _welcome_b = await enter(spec, bob)

    def _owner_drops_bob() -> None:
        with transaction.atomic():
            SPECS[spec.ref] = RoomSpec(**{**spec.__dict__, "participant_ids": frozenset({alice.pk})})
            room_changed(spec.kind, spec.ref)

    await database_sync_to_async(_owner_drops_bob)()
    await next_frame(b, "closed")
    await closed_with(b, consumers.CLOSE_ENDED)
    await a.disconnect()


async def test_it_closes_the_room_fifteen_minutes_after_the_end() -> None:
    (member,) = await database_sync_to_async(members)(1)
    # Ends so that end + 15 minutes is one second from now.
    spec = await database_sync_to_async(make_room)(
        [member], starts_in=dt.timedelta(minutes=-45, seconds=1), lasts=dt.timedelta(minutes=30)
    )
    communicator, _welcome = await enter(spec, member)
    await asyncio.sleep(1.2)
    await next_frame(communicator, "closed")
    await closed_with(communicator, consumers.CLOSE_ENDED)
