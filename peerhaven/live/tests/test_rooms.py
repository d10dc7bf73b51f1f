"""Video rooms over HTTP: the entry rule at its edges, the room page and its kind closed pages,
join tokens through the API, ICE servers and TURN credentials, meetup rooms and Jitsi links."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.live.models import VideoRoom, VideoRoomRemoval
from peerhaven.live.policies import may_enter_room, may_host_room
from peerhaven.live.rooms import ENTRY_AFTER, ENTRY_BEFORE, room_spec, room_url
from peerhaven.live.selectors import MEETUP_ROOM_KIND
from peerhaven.live.services import meetup_create, meetup_end, meetup_register, participant_remove
from peerhaven.live.tests.room_kind import SPECS, make_room
from peerhaven.live.video import (
    JoinTokenInvalid,
    external_room_name,
    ice_servers,
    join_token_check,
    turn_credentials,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_specs() -> Iterator[None]:
    yield
    SPECS.clear()


def _token_url(spec: Any) -> str:
    return f"/api/v1/rooms/{spec.kind}/{spec.ref}/token"


# --- the entry rule ---------------------------------------------------------------------------------
def test_it_opens_ten_minutes_before_the_start_and_closes_fifteen_after_the_end() -> None:
    member = make_member(verified=True)
    spec = make_room([member])
    assert may_enter_room(member, spec, now=spec.starts_at - ENTRY_BEFORE)
    assert not may_enter_room(member, spec, now=spec.starts_at - ENTRY_BEFORE - dt.timedelta(microseconds=1))
    assert ENTRY_BEFORE == dt.timedelta(minutes=10) and ENTRY_AFTER == dt.timedelta(minutes=15)
    assert may_enter_room(member, spec, now=spec.ends_at + ENTRY_AFTER)
    assert not may_enter_room(member, spec, now=spec.ends_at + ENTRY_AFTER + dt.timedelta(microseconds=1))


def test_it_lets_in_only_verified_active_participants_of_an_open_room() -> None:
    member, host, stranger = make_member(verified=True), make_member(verified=True), make_member(verified=True)
    unverified, suspended = make_member(), make_member(verified=True, suspended=True)
    spec = make_room([member, host, unverified, suspended], hosts=[host], starts_in=dt.timedelta(0))
    assert may_enter_room(member, spec) and may_enter_room(host, spec)
    assert not may_enter_room(stranger, spec)
    assert not may_enter_room(unverified, spec) and not may_enter_room(suspended, spec)
    assert may_host_room(host, spec) and not may_host_room(member, spec)
    closed = make_room([member], closed=True)
    assert not may_enter_room(member, closed)


# --- the page -------------------------------------------------------------------------------------------
def test_it_shows_the_room_with_the_browser_test_contract_and_a_join_token(django_assert_max_num_queries: Any) -> None:
    member, other = make_member(verified=True), make_member(verified=True)
    spec = make_room([member, other])
    client = sign_in(Client(), member)
    with django_assert_max_num_queries(14):
        response = client.get(room_url(spec.kind, spec.ref))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Peerhaven session" in page
    for contract in ('data-testid="local-video" id="local-video" muted playsinline autoplay',
                     'role="status" data-testid="room-status"', 'data-testid="room-ended"'):
        assert contract in page
    for label in (">Camera<", ">Microphone<", ">Share screen<", ">Leave<"):
        assert label in page
    assert "Nothing in this room is recorded" in page
    assert "Host controls" not in page
    grant = json.loads(re.search(r'<script id="room-join" type="application/json">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    join_token_check(grant["token"], user_id=member.pk, spec=spec)
    assert grant["socket_path"] == f"/ws/rooms/{spec.kind}/{spec.ref}/"
    # No inline script: only the JSON data block and script files.
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", page) == []


def test_it_shows_host_controls_to_hosts_only() -> None:
    host, member = make_member(verified=True), make_member(verified=True)
    spec = make_room([host, member], hosts=[host])
    page = sign_in(Client(), host).get(room_url(spec.kind, spec.ref)).content.decode()
    assert "Show crisis resources to the room" in page and "End the session for everyone" in page


def test_it_tells_participants_when_the_room_opens_and_when_it_has_closed() -> None:
    member = make_member(verified=True)
    early = make_room([member], starts_in=dt.timedelta(minutes=30))
    late = make_room([member], starts_in=dt.timedelta(hours=-3), lasts=dt.timedelta(hours=1))
    client = sign_in(Client(), member)
    response = client.get(room_url(early.kind, early.ref))
    assert response.status_code == 200 and "The room is not open yet" in response.content.decode()
    assert 'data-testid="local-video"' not in response.content.decode()
    response = client.get(room_url(late.kind, late.ref))
    assert response.status_code == 200 and "This room has closed" in response.content.decode()


def test_it_answers_404_to_outsiders_and_unknown_rooms_and_403_to_the_unverified() -> None:
    member, stranger, unverified = make_member(verified=True), make_member(verified=True), make_member()
    spec = make_room([member, unverified])
    assert sign_in(Client(), stranger).get(room_url(spec.kind, spec.ref)).status_code == 404
    assert sign_in(Client(), member).get(room_url("no.such", "1")).status_code == 404
    assert sign_in(Client(), member).get(room_url(spec.kind, "nope")).status_code == 404
    assert sign_in(Client(), unverified).get(room_url(spec.kind, spec.ref)).status_code == 403


def test_it_keeps_a_removed_participant_out_of_the_page_and_the_api() -> None:
    member = make_member(verified=True)
    spec = make_room([member])
    room = VideoRoom.objects.create(key=spec.key)
    VideoRoomRemoval.objects.create(room=room, member=member)
    client = sign_in(Client(), member)
    response = client.get(room_url(spec.kind, spec.ref))
    assert "You cannot rejoin this room" in response.content.decode()
    assert client.post(_token_url(spec)).status_code == 403


# --- join tokens and ICE servers -----------------------------------------------------------------------
def test_it_issues_a_join_token_with_ice_servers_to_a_participant(settings: Any) -> None:
    settings.VIDEO_STUN_URLS = ["stun:stun.example.org:3478"]
    settings.VIDEO_TURN_URLS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
    settings.VIDEO_TURN_SECRET = "a-long-shared-coturn-secret"
    member, stranger = make_member(verified=True), make_member(verified=True)
    spec = make_room([member])
    response = sign_in(Client(), member).post(_token_url(spec))
    assert response.status_code == 200
    grant = response.json()
    join_token_check(grant["token"], user_id=member.pk, spec=spec)
    assert grant["expires_in"] == 60
    stun, turn = grant["ice_servers"]
    assert stun["urls"] == ["stun:stun.example.org:3478"]
    assert turn["urls"] == settings.VIDEO_TURN_URLS and turn["username"] and turn["credential"]
    assert re.fullmatch(r"\d+:[0-9a-f]{16}", turn["username"])  # an opaque id, not the account's
    with pytest.raises(JoinTokenInvalid):
        join_token_check(grant["token"], user_id=stranger.pk, spec=spec)
    assert sign_in(Client(), stranger).post(_token_url(spec)).status_code == 404


def test_it_refuses_a_token_outside_the_window() -> None:
    member = make_member(verified=True)
    spec = make_room([member], starts_in=dt.timedelta(minutes=11))
    response = sign_in(Client(), member).post(_token_url(spec))
    assert response.status_code == 403 and "not open" in response.json()["detail"]


def test_it_gives_only_host_candidates_when_no_ice_server_is_configured(settings: Any) -> None:
    settings.VIDEO_STUN_URLS, settings.VIDEO_TURN_URLS = [], []
    member = make_member(verified=True)
    assert ice_servers(user_id=member.pk, spec=make_room([member])) == []


def test_it_derives_turn_rest_credentials_as_coturn_expects() -> None:
    expires = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    credentials = turn_credentials(user_id=42, expires_at=expires, secret="s3cret-shared-with-coturn")
    expiry, opaque = credentials["username"].split(":")
    assert expiry == str(int(expires.timestamp())) == "1893456000"
    assert re.fullmatch(r"[0-9a-f]{16}", opaque)
    expected = base64.b64encode(
        hmac.new(b"s3cret-shared-with-coturn", credentials["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert credentials["credential"] == expected
    # Stable per member (a TURN log line cannot be tied to an account), different between members.
    assert turn_credentials(user_id=42, expires_at=expires, secret="x" * 20)["username"] == credentials["username"]
    assert turn_credentials(user_id=43, expires_at=expires, secret="x" * 20)["username"] != credentials["username"]


def test_it_makes_turn_credentials_last_until_the_room_closes(settings: Any) -> None:
    settings.VIDEO_TURN_URLS, settings.VIDEO_TURN_SECRET = ["turn:turn.example.org"], "a-long-shared-coturn-secret"
    member = make_member(verified=True)
    spec = make_room([member], lasts=dt.timedelta(hours=3))
    (turn,) = ice_servers(user_id=member.pk, spec=spec)
    assert int(turn["username"].split(":")[0]) == int(spec.closes_at.timestamp())


# --- meetup rooms ----------------------------------------------------------------------------------------
def _meetup(capacity: int = 8) -> tuple[Any, Any]:
    host = make_member(verified=True, roles=("facilitator",))
    start = timezone.now() + dt.timedelta(minutes=5)
    meetup = meetup_create(actor=host, title="Evening circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=capacity)
    return meetup, host


def test_it_gives_each_meetup_a_video_room_for_its_registered_participants() -> None:
    meetup, host = _meetup()
    member, removed = make_member(verified=True), make_member(verified=True)
    meetup_register(actor=member, meetup=meetup)
    registration = meetup_register(actor=removed, meetup=meetup)
    participant_remove(actor=host, meetup=meetup, registration=registration)
    spec = room_spec(MEETUP_ROOM_KIND, str(meetup.pk))
    assert spec is not None
    assert spec.participant_ids == {host.pk, member.pk} and spec.host_ids == {host.pk}
    assert not spec.external and spec.back_url == reverse("live:meetup_room", kwargs={"pk": meetup.pk})
    assert sign_in(Client(), member).get(room_url(MEETUP_ROOM_KIND, meetup.pk)).status_code == 200
    assert sign_in(Client(), removed).get(room_url(MEETUP_ROOM_KIND, meetup.pk)).status_code == 404
    chat_page = sign_in(Client(), member).get(reverse("live:meetup_room", kwargs={"pk": meetup.pk})).content.decode()
    assert room_url(MEETUP_ROOM_KIND, meetup.pk) in chat_page
    meetup_end(actor=host, meetup=meetup)
    ended = room_spec(MEETUP_ROOM_KIND, str(meetup.pk))
    assert ended is not None and ended.closed
    assert room_spec(MEETUP_ROOM_KIND, "x1") is None and room_spec(MEETUP_ROOM_KIND, "999999") is None


def test_it_sends_large_meetups_to_jitsi_with_an_unguessable_room_name(settings: Any) -> None:
    settings.VIDEO_JITSI_BASE_URL = "https://meet.example.org"
    big, host = _meetup(capacity=30)
    small, _small_host = _meetup(capacity=8)
    member, stranger = make_member(verified=True), make_member(verified=True)
    meetup_register(actor=member, meetup=big)
    spec = room_spec(MEETUP_ROOM_KIND, str(big.pk))
    assert spec is not None and spec.external
    small_spec = room_spec(MEETUP_ROOM_KIND, str(small.pk))
    assert small_spec is not None and not small_spec.external
    name = external_room_name(spec)
    assert re.fullmatch(r"Peerhaven[0-9a-f]{40}", name)
    keyed = hmac.new(settings.SECRET_KEY.encode(), f"jitsi-room:{spec.key}".encode(), hashlib.sha256).hexdigest()
    assert name == "Peerhaven" + keyed[:40]  # derived with the secret key: not guessable from the id
    assert name != external_room_name(small_spec)
    page = sign_in(Client(), member).get(room_url(MEETUP_ROOM_KIND, big.pk)).content.decode()
    assert f"https://meet.example.org/{name}" in page and 'data-testid="local-video"' not in page
    assert sign_in(Client(), stranger).get(room_url(MEETUP_ROOM_KIND, big.pk)).status_code == 404
    assert sign_in(Client(), member).post(f"/api/v1/rooms/{MEETUP_ROOM_KIND}/{big.pk}/token").status_code == 409
    settings.VIDEO_JITSI_BASE_URL = ""
    mesh = room_spec(MEETUP_ROOM_KIND, str(big.pk))
    assert mesh is not None and not mesh.external


# --- privacy and housekeeping ------------------------------------------------------------------------------
def test_it_exports_and_erases_a_members_video_room_facts() -> None:
    from peerhaven.live.models import VideoRoomPresence
    from peerhaven.live.privacy import erase_member, export_member

    member = make_member(verified=True)
    spec = make_room([member])
    room = VideoRoom.objects.create(key=spec.key)
    VideoRoomRemoval.objects.create(room=room, member=member)
    exported = export_member(member)
    assert [removal["room"] for removal in exported["video_room_removals"]] == [spec.key]
    VideoRoomPresence.objects.create(room=room, member=member, peer_id="0" * 16, channel_name="x")
    erase_member(member, keep_posts_as_former_member=True)
    assert not VideoRoomRemoval.objects.filter(member=member).exists()
    assert not VideoRoomPresence.objects.filter(member=member).exists()


def test_it_purges_presence_rows_left_by_a_node_that_went_away() -> None:
    from peerhaven.live.models import VideoRoomPresence
    from peerhaven.live.services import video_presence_purge_stale

    member, other = make_member(verified=True), make_member(verified=True)
    room = VideoRoom.objects.create(key="test.room:stale")
    VideoRoomPresence.objects.create(room=room, member=member, peer_id="1" * 16, channel_name="a",
                                     seen_at=timezone.now() - dt.timedelta(minutes=4))
    VideoRoomPresence.objects.create(room=room, member=other, peer_id="2" * 16, channel_name="b")
    assert video_presence_purge_stale() == 1
    assert list(VideoRoomPresence.objects.values_list("member_id", flat=True)) == [other.pk]
