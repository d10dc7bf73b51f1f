"""T4T matching in Chromium, at desktop and phone sizes: a member sees suggestions with their
fit labels, filters the search, puts a supporter on their "never match me with" list and no
longer finds them anywhere, with no reason shown; then removes the entry. Every page on the way
is checked with axe and for CSP violations (e2e/browsing.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import expect

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer
from e2e.test_journey import PASSWORD, Authenticator, follow, label, sign_in, submit


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_member_filters_and_keeps_a_supporter_out(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    supporter_email, supporter_name = f"willow-{tag}@example.org", f"willow-{tag}"
    e2e_server.run_script("member", supporter_email, PASSWORD, pyotp.random_base32(), supporter_name)
    e2e_server.run_script("support:supporter", supporter_email, "Europe/Madrid")
    seeker_email, seeker_name = f"heron-{tag}@example.org", f"heron-{tag}"
    authenticator = Authenticator(secret=pyotp.random_base32())
    e2e_server.run_script("member", seeker_email, PASSWORD, authenticator.secret, seeker_name)

    member = open_browsing(viewport)
    page = member.page
    sign_in(member, seeker_email, authenticator)

    # Preferences (optional, private) shape the suggestions.
    member.goto("/t4t/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My matching preferences")
    member.act(submit(page, "Save"), expect_path="/t4t/suggestions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggested for you")
    expect(page.get_by_role("link", name=supporter_name)).to_be_visible()

    # Search with a filter as a GET form.
    member.act(follow(page, "Find a supporter"), expect_path="/t4t/find/")
    page.get_by_label(label("Available in the next 48 hours")).check()
    member.act(submit(page, "Show supporters"))
    expect(page.get_by_role("link", name=supporter_name)).to_be_visible()

    # "Never match me with": the same answer whether or not the name is a member.
    member.act(follow(page, "People I should not be matched with"), expect_path="/t4t/not-matched/")
    form = page.locator("form", has=page.get_by_role("button", name="Add to my list"))
    form.get_by_label(label("Their pseudonym or e-mail address")).fill(supporter_name)
    member.act(submit(page, "Add to my list"), expect_path="/t4t/not-matched/")
    expect(page.get_by_text("If this person is a member, the two of you will not be matched.")).to_be_visible()

    for path in ("/t4t/find/", "/t4t/suggestions/"):
        member.goto(path)
        expect(page.get_by_role("link", name=supporter_name)).to_have_count(0)

    # Removing the entry brings them back.
    member.goto("/t4t/not-matched/")
    member.act(submit(page, f"Remove {supporter_name}"), expect_path="/t4t/not-matched/")
    member.goto("/t4t/find/")
    expect(page.get_by_role("link", name=supporter_name)).to_be_visible()
