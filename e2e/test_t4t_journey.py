"""The T4T journey in Chromium (issue 5's acceptance): a member finds a peer supporter, books a
session in their own time zone, both see it, the .ics invite downloads with a neutral title, and
cancelling frees the slot again. Every page on the way is checked with axe and for CSP
violations (e2e/browsing.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import expect

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer
from e2e.test_journey import PASSWORD, Authenticator, follow, label, sign_in, submit


def _verified_member(server: LiveServer, tag: str, name: str) -> tuple[str, Authenticator, str]:
    email = f"{name}-{tag}@example.org"
    pseudonym = f"{name}-{tag}"
    authenticator = Authenticator(secret=pyotp.random_base32())
    server.run_script("member", email, PASSWORD, authenticator.secret, pseudonym)
    return email, authenticator, pseudonym


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_member_finds_a_supporter_books_and_cancels(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    supporter_email, supporter_code, supporter_name = _verified_member(e2e_server, tag, "oak")
    supporter_pk = e2e_server.run_script("support:supporter", supporter_email, "America/New_York").strip()
    seeker_email, seeker_code, seeker_name = _verified_member(e2e_server, tag, "fern")

    # The member finds the supporter through search and opens their page.
    seeker = open_browsing(viewport)
    page = seeker.page
    sign_in(seeker, seeker_email, seeker_code)
    seeker.goto("/t4t/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer support sessions (T4T)")
    seeker.act(follow(page, "Find a supporter"))
    seeker.act(follow(page, supporter_name), expect_path=f"/t4t/supporters/{supporter_pk}/")
    expect(page.get_by_text("Peer support — not therapy, not crisis care")).to_be_visible()

    # Picks the first open time, writes a short note and books.
    first_slot = page.locator("button.slot-button").first
    slot_key = first_slot.get_attribute("data-slot")
    seeker.act(lambda: first_slot.click(), expect_path=f"/t4t/supporters/{supporter_pk}/book/")
    page.get_by_label(label("A note to the supporter (optional)")).fill("Hoping to talk about a hard week.")
    seeker.act(submit(page, "Book this session"), expect_path=re.compile(r"^/t4t/sessions/\d+/"))
    session_path = page.url.removeprefix(e2e_server.url).split("?")[0]
    expect(page.get_by_text("Your session is booked.")).to_be_visible()
    expect(page.get_by_role("heading", name="Peer support — not therapy, not crisis care")).to_be_visible()
    expect(page.get_by_role("link", name="Open the video room")).to_be_visible()

    # The .ics invite downloads and says only "Peerhaven session".
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    invite = open(download_info.value.path(), encoding="utf-8").read()
    assert "SUMMARY:Peerhaven session" in invite
    assert supporter_name not in invite and seeker_name not in invite and "hard week" not in invite

    # The supporter sees the session, and the member's note, on their side.
    supporter = open_browsing(viewport)
    spage = supporter.page
    sign_in(supporter, supporter_email, supporter_code)
    supporter.goto("/t4t/offer/requests/")
    expect(spage.get_by_text(seeker_name)).to_be_visible()
    supporter.goto(session_path)
    expect(spage.get_by_text("Hoping to talk about a hard week.")).to_be_visible()

    # Taken: another look at the supporter's page no longer offers that time.
    seeker.goto(f"/t4t/supporters/{supporter_pk}/")
    expect(page.locator(f'button[data-slot="{slot_key}"]')).to_have_count(0)

    # The member cancels; the slot is free again.
    seeker.goto(session_path)
    seeker.act(follow(page, "Cancel this session"), expect_path=f"{session_path}cancel/")
    seeker.act(submit(page, "Yes, cancel it"), expect_path="/t4t/sessions/")
    expect(page.get_by_text("The session is cancelled.")).to_be_visible()
    seeker.goto(f"/t4t/supporters/{supporter_pk}/")
    expect(page.locator(f'button[data-slot="{slot_key}"]')).to_have_count(1)
