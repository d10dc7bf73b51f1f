"""The video room in Chromium, inside a loopback-only network namespace: WebRTC between real
pages with Chromium's fake camera and microphone. A member and the meetup's host join its room and
each sees the other's video; the host removes the member, who is cut off at once (told so, camera
off, socket closed, the host's video gone) and cannot come back in, while the host sees them leave. Every page, and the room once the video plays, is checked with axe."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import WebSocket, expect

from e2e.browsing import CheckedBrowsing
from e2e.netns.people import Person, member
from e2e.server import LiveServer

MEDIA_TIMEOUT = 45_000  # ICE, DTLS and the first decoded frame on a busy two-core machine
PLAYING = """selector => {
    const video = document.querySelector(selector);
    return video !== null && video.readyState >= 2 && video.videoWidth > 0;
}"""


def remote_video(peer: Person) -> str:
    return f'video[data-testid="remote-video"][data-peer="{peer.pseudonym}"]'


def room_socket(person: Person) -> WebSocket:
    found = [socket for socket in person.sockets if "/ws/rooms/" in socket.url]
    assert found, f"{person.pseudonym}'s page opened no room socket"
    return found[-1]


VIDEO_STATE = """() => ({
    status: document.querySelector('[data-testid="room-status"]').textContent,
    videos: Array.from(document.querySelectorAll("video")).map(video => ({
        testid: video.dataset.testid, peer: video.dataset.peer || "", readyState: video.readyState,
        width: video.videoWidth, paused: video.paused,
        tracks: video.srcObject ? video.srcObject.getTracks().map(t => `${t.kind}:${t.readyState}:${t.muted}`) : [],
    })),
})"""


def wait_until_playing(person: Person, selector: str) -> None:
    try:
        person.page.wait_for_function(PLAYING, arg=selector, timeout=MEDIA_TIMEOUT)
    except PlaywrightTimeoutError as error:
        state = person.page.evaluate(VIDEO_STATE)
        raise AssertionError(f"{person.pseudonym}: {selector} is not playing; the page has {state}") from error


def sees_video_of(person: Person, peer: Person) -> None:
    expect(person.page.locator(remote_video(peer))).to_have_count(1, timeout=MEDIA_TIMEOUT)
    wait_until_playing(person, remote_video(peer))


def test_members_see_each_others_video_and_a_removed_member_is_cut_off(
    e2e_server: LiveServer, open_browsing: Callable[[str], CheckedBrowsing]
) -> None:
    host = member(e2e_server, open_browsing, "host")
    bob = member(e2e_server, open_browsing, "bob", viewport="phone")
    e2e_server.run_script("live:facilitator", host.email)
    meetup_pk = e2e_server.run_script("live:open_meetup", host.email, "Video circle", "8").strip()
    e2e_server.run_script("live:register", meetup_pk, bob.email)
    room = reverse("live:room", kwargs={"kind": "live.meetup", "ref": meetup_pk})

    everyone = (host, bob)
    for person in everyone:
        person.browsing.goto(room)
        wait_until_playing(person, 'video[data-testid="local-video"]')
    for person in everyone:
        for peer in everyone:
            if peer is not person:
                sees_video_of(person, peer)
        expect(person.page.get_by_test_id("participant")).to_have_count(2)
        for name in ("Camera", "Microphone", "Share screen", "Leave"):
            expect(person.page.get_by_role("button", name=name, exact=True)).to_be_enabled()
        person.browsing.check()  # the room with both videos playing is still accessible

    # Only the host has Remove buttons; they remove Bob.
    expect(bob.page.get_by_role("button", name="Remove", exact=True)).to_have_count(0)
    bob_socket = room_socket(bob)
    bob_entry = host.page.get_by_test_id("participant").filter(has_text=bob.pseudonym)
    bob_entry.get_by_role("button", name="Remove", exact=True).click()

    # Bob is cut off: told so, his socket closed, his camera stopped, nobody's video left.
    ended = bob.page.get_by_test_id("room-ended")
    expect(ended).to_be_visible()
    expect(ended).to_contain_text("removed")
    if not bob_socket.is_closed():
        bob_socket.wait_for_event("close", timeout=10_000)
    expect(bob.page.locator('video[data-testid="remote-video"]')).to_have_count(0)
    assert bob.page.evaluate("() => document.querySelector('video[data-testid=\"local-video\"]').srcObject === null")
    bob.browsing.check()

    # The host sees him leave.
    expect(host.page.locator(remote_video(bob))).to_have_count(0, timeout=15_000)
    expect(host.page.get_by_test_id("participant").filter(has_text=bob.pseudonym)).to_have_count(0)
    host.browsing.check()

    # He cannot come back in: the room page tells him so, and opens no camera or socket.
    sockets_before = len(bob.sockets)
    bob.browsing.goto(room)
    expect(bob.page.get_by_role("heading", name="You cannot rejoin this room")).to_be_visible()
    expect(bob.page.locator("video")).to_have_count(0)
    bob.page.wait_for_timeout(1_000)
    assert len(bob.sockets) == sockets_before, "the removed member's page opened a socket again"
    expect(host.page.get_by_test_id("room-ended")).to_be_hidden()
