"""The groups journey in Chromium (issue 6's acceptance): a facilitator creates a case
consultation group and schedules its weekly meetings; a member asks to join, is approved, accepts
the agreement, writes a case presentation, sees a phone number flagged as they type and blocked
when they post, removes it and posts; then starts a thread and corrects their own message (an
identifier slipped into the edit is refused too). Every page on the way is checked with axe and for CSP
violations (e2e/browsing.py)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import expect

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer
from e2e.test_journey import PASSWORD, Authenticator, follow, label, sign_in, submit

PHONE = "(503) 555-0143"
VIGNETTE = "A client in their forties feels unheard at work and at home; the anger now turns towards me."


def _verified_member(server: LiveServer, tag: str, name: str) -> tuple[str, Authenticator, str]:
    email = f"{name}-{tag}@example.org"
    pseudonym = f"{name}-{tag}"
    authenticator = Authenticator(secret=pyotp.random_base32())
    server.run_script("member", email, PASSWORD, authenticator.secret, pseudonym)
    return email, authenticator, pseudonym


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_consultation_group_from_creation_to_a_de_identified_case_presentation(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    group_name = f"Trauma consultation {tag}"
    facilitator_email, facilitator_code, _ = _verified_member(e2e_server, tag, "facil")
    e2e_server.run_script("groups:facilitator", facilitator_email)
    member_email, member_code, member_pseudonym = _verified_member(e2e_server, tag, "member")

    # The facilitator creates a listed, by-request case consultation group.
    facilitator = open_browsing(viewport)
    page = facilitator.page
    sign_in(facilitator, facilitator_email, facilitator_code)
    facilitator.goto("/groups/")
    facilitator.act(follow(page, "Start a group"), expect_path="/groups/new/")
    page.get_by_label(label("Name")).fill(group_name)
    page.get_by_label(label("Description")).fill("Weekly consultation for trauma clinicians.")
    page.get_by_label(label("Kind")).select_option(label="Case consultation")
    page.get_by_label("By request: a facilitator approves").check()
    page.get_by_label(label("Capacity")).fill("8")
    page.locator("#id_language").select_option("en")
    page.locator("#id_time_zone").select_option("America/Los_Angeles")
    page.get_by_label(label("Jurisdictions")).fill("Oregon, Washington")
    page.get_by_label(label("Group agreement")).fill("What is said here stays here. De-identified cases only.")
    facilitator.act(submit(page, "Create the group"), expect_path=re.compile(r"^/groups/\d+/$"))
    group_path = page.url.removeprefix(e2e_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(group_name)

    # ... and schedules its weekly meetings (the meetings concern's page).
    facilitator.act(follow(page, "Schedule meetings"), expect_path=f"{group_path}meetings/new/")
    page.get_by_label(label("Title")).fill("Weekly consultation")
    page.get_by_label("Every week").check()
    page.get_by_label("Tuesday").check()
    next_week = dt.date.today() + dt.timedelta(days=7)
    page.get_by_label(label("First date")).fill(next_week.isoformat())
    page.get_by_label(label("Start time")).fill("18:00")
    facilitator.act(submit(page, "Schedule"))
    facilitator.goto(f"{group_path}meetings/")
    expect(page.get_by_text("Weekly consultation").first).to_be_visible()

    # A member finds it in the directory and asks to join.
    member = open_browsing(viewport)
    mpage = member.page
    sign_in(member, member_email, member_code)
    member.goto("/groups/?kind=consultation&band=americas")
    member.act(follow(mpage, group_name), expect_path=group_path)
    member.act(submit(mpage, "Ask to join"), expect_path=group_path)
    expect(mpage.get_by_text("Your request to join is waiting for a facilitator.")).to_be_visible()
    # Nothing inside is visible yet.
    assert mpage.request.get(e2e_server.url + f"{group_path}threads/").status == 404

    # The facilitator approves the request.
    facilitator.goto(f"{group_path}members/")
    facilitator.act(submit(page, f"Approve {member_pseudonym}"), expect_path=f"{group_path}members/")
    expect(page.get_by_role("status").first).to_contain_text("Approved")

    # The member accepts the agreement and is in.
    member.goto(group_path)
    member.act(follow(mpage, "Read and accept the agreement"), expect_path=f"{group_path}agreement/")
    expect(mpage.get_by_text("De-identified cases only.")).to_be_visible()
    mpage.get_by_label(re.compile("I have read this agreement")).check()
    member.act(submit(mpage, "Accept and join"), expect_path=group_path)
    expect(mpage.get_by_role("heading", name="Inside the group")).to_be_visible()

    # A case presentation with a phone number: flagged as they type, blocked when posted.
    member.act(follow(mpage, "Case presentations"), expect_path=f"{group_path}cases/")
    member.act(follow(mpage, "Present a case"), expect_path=f"{group_path}cases/new/")
    mpage.get_by_label(label("Title")).fill("Stuck when anger fills the room")
    mpage.get_by_label(label("Presenting question")).fill("How can I stay steady when the anger is aimed at me?")
    mpage.get_by_label(label("Context")).fill("Weekly individual sessions for about a year.")
    vignette = mpage.get_by_label(label("De-identified vignette"))
    vignette.fill(f"{VIGNETTE} They left a message from {PHONE} last week.")
    vignette.press("End")
    vignette.type(" ")
    results = mpage.locator("#phi-vignette-results")
    expect(results.locator("mark.phi-mark-block")).to_have_text(re.compile(re.escape(PHONE)), timeout=10_000)
    expect(results).to_contain_text("Phone number")
    member.check()
    mpage.get_by_label(label("What I need from the group")).fill("Ways to name what is happening without defending myself.")
    member.act(submit(mpage, "Post the case presentation"), expect_path=f"{group_path}cases/new/")
    expect(mpage.get_by_text(re.compile("Case material must be de-identified"))).to_be_visible()

    # Removing the number lets it through.
    mpage.get_by_label(label("De-identified vignette")).fill(VIGNETTE)
    member.act(submit(mpage, "Post the case presentation"), expect_path=re.compile(rf"^{group_path}cases/\d+/$"))
    expect(mpage.get_by_role("heading", level=1)).to_have_text("Stuck when anger fills the room")
    assert PHONE not in mpage.content()

    # The member starts a thread, then corrects their own message: an identifier slipped in is
    # refused by the same guard, and the thread shows the corrected text marked as edited.
    member.act(follow(mpage, "Threads"), expect_path=f"{group_path}threads/")
    member.act(follow(mpage, "Start a thread"), expect_path=f"{group_path}threads/new/")
    mpage.get_by_label(label("Title")).fill("Evenings after hard sessions")
    mpage.get_by_label(label("Message")).fill("How do you leave the day behind?")
    member.act(submit(mpage, "Post"), expect_path=re.compile(rf"^{group_path}threads/\d+/$"))
    thread_path = mpage.url.removeprefix(e2e_server.url)
    member.act(follow(mpage, "Edit your post"), expect_path=re.compile(rf"^{thread_path}posts/\d+/edit/$"))
    edit_path = mpage.url.removeprefix(e2e_server.url)
    mpage.get_by_label(label("Your post")).fill(f"How do you leave the day behind? Text me on {PHONE}.")
    member.act(submit(mpage, "Save the post"), expect_path=edit_path)
    expect(mpage.get_by_text(re.compile("Case material must be de-identified|de-identified"))).to_be_visible()
    mpage.get_by_label(label("Your post")).fill("How do you leave the day behind when a session stays with you?")
    member.act(submit(mpage, "Save the post"), expect_path=re.compile(rf"^{thread_path}(#post-\d+)?$"))
    expect(mpage.get_by_text("How do you leave the day behind when a session stays with you?")).to_be_visible()
    expect(mpage.get_by_text(re.compile(r"·\s*edited"))).to_be_visible()
    assert PHONE not in mpage.content()
