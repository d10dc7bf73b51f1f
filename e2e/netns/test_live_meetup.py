"""The live meetup room in Chromium, inside a loopback-only network namespace: two members and
their host in one room; a chat message from one reaches the other; the host removes a participant,
who is cut off at once (told so, socket closed) and cannot come back in, while the others see them
leave. Every page on the way, and the room after each change, is checked with axe."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import WebSocket, expect

from e2e.browsing import CheckedBrowsing
from e2e.netns.people import Person, member
from e2e.server import LiveServer

CONNECTED = "Connected."
REMOVED = "The host removed you from this meetup."


def room_socket(person: Person, meetup_pk: int) -> WebSocket:
    path = f"/ws/live/meetups/{meetup_pk}/"
    found = [socket for socket in person.sockets if socket.url.endswith(path)]
    assert found, f"{person.pseudonym}'s page opened no socket to {path}"
    return found[-1]


def enter_room(person: Person, meetup_pk: int) -> None:
    person.browsing.goto(reverse("live:meetup_room", kwargs={"pk": meetup_pk}))
    expect(person.page.locator("#room-status")).to_have_text(CONNECTED)


def refused_handshake(person: Person, path: str) -> str:
    """Open a websocket from the member's current page (their cookies, our Origin) and report
    whether the server accepted it."""
    return str(person.page.evaluate(
        """path => new Promise(resolve => {
            const socket = new WebSocket(`ws://${location.host}${path}`);
            socket.onopen = () => { socket.close(); resolve("accepted"); };
            socket.onclose = () => resolve("refused");
        })""",
        path,
    ))


def test_two_members_chat_and_a_removed_member_is_cut_off(
    e2e_server: LiveServer, open_browsing: Callable[[str], CheckedBrowsing]
) -> None:
    host = member(e2e_server, open_browsing, "host")
    alice = member(e2e_server, open_browsing, "alice")
    bob = member(e2e_server, open_browsing, "bob", viewport="phone")
    e2e_server.run_script("live:facilitator", host.email)
    meetup_pk = int(e2e_server.run_script("live:open_meetup", host.email, "Evening circle", "10").strip())
    for person in (alice, bob):
        e2e_server.run_script("live:register", str(meetup_pk), person.email)

    for person in (host, alice, bob):
        enter_room(person, meetup_pk)
    participants = alice.page.locator("#participants")
    for person in (host, bob):
        expect(participants).to_contain_text(person.pseudonym)

    # A message from Alice reaches Bob (and the host), named by her pseudonym.
    text = f"Thank you all for being here tonight {uuid.uuid4().hex[:8]}"
    alice.page.get_by_label("Message").fill(text)
    alice.page.get_by_role("button", name="Send", exact=True).click()
    for person in (bob, host):
        line = person.page.locator("#chat-log li").filter(has_text=text)
        expect(line).to_be_visible()
        expect(line).to_contain_text(alice.pseudonym)
        person.browsing.check()  # the room with a message in it is still accessible

    # The host removes Bob: he is told, his socket is closed, he cannot post or come back.
    bob_socket = room_socket(bob, meetup_pk)
    host.page.get_by_role("button", name=f"Remove {bob.pseudonym}", exact=True).click()
    expect(bob.page.locator("#room-status")).to_have_text(REMOVED)
    if not bob_socket.is_closed():
        bob_socket.wait_for_event("close", timeout=5_000)
    expect(bob.page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    bob.browsing.check()
    expect(participants).not_to_contain_text(bob.pseudonym)
    expect(host.page.locator("#participants")).not_to_contain_text(bob.pseudonym)

    # Nothing he might still send arrives: the server refuses his socket and the room page.
    page_response = bob.page.goto(bob.browsing.url(reverse("live:meetup_room", kwargs={"pk": meetup_pk})))
    assert page_response is not None and page_response.status == 404
    bob.browsing.check()
    assert refused_handshake(bob, f"/ws/live/meetups/{meetup_pk}/") == "refused"
    # Alice, still in, is unaffected.
    assert refused_handshake(alice, f"/ws/live/meetups/{meetup_pk}/") == "accepted"
    expect(alice.page.locator("#room-status")).to_have_text(CONNECTED)
