"""The forums journey in Chromium (issue 7's acceptance): a member posts a topic with a content
note; another opens the folded post, replies anonymously (shown as "Verified clinician", their
pseudonym nowhere on the page, not even for a moderator), sends a support reaction, finds the
topic with search and reports the first post; a moderator hides it and members see it hidden.
Every page on the way is checked with axe and for CSP violations (e2e/browsing.py)."""

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
    pseudonym = f"{name}{tag}"
    authenticator = Authenticator(secret=pyotp.random_base32())
    server.run_script("member", email, PASSWORD, authenticator.secret, pseudonym)
    return email, authenticator, pseudonym


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_topic_with_a_content_note_an_anonymous_reply_and_a_reaction(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    slug = f"after-hours-{tag}"
    community_name = f"After hours {tag}"
    e2e_server.run_script("forums:community", slug, community_name)
    author_email, author_code, author_pseudonym = _verified_member(e2e_server, tag, "author")
    replier_email, replier_code, replier_pseudonym = _verified_member(e2e_server, tag, "replier")
    moderator_email, moderator_code, _ = _verified_member(e2e_server, tag, "moderator")
    e2e_server.run_script("forums:moderator", moderator_email)
    title = f"Losing a client, months on {tag}"

    # The author starts a topic with a content note.
    author = open_browsing(viewport)
    page = author.page
    sign_in(author, author_email, author_code)
    author.goto("/community/")
    author.act(follow(page, community_name), expect_path=f"/community/c/{slug}/")
    author.act(follow(page, "Start a topic"), expect_path=f"/community/c/{slug}/new/")
    page.get_by_label(label("Title")).fill(title)
    page.get_by_label(label("Your message")).fill(
        f"I still replay our last session. How did you carry this? kestrel{tag}"
    )
    page.get_by_label("Content note").select_option(label="Client death")
    # The draft is kept while writing (htmx, debounced).
    expect(page.locator(".draft-status")).to_contain_text("Draft saved", timeout=10_000)
    author.act(submit(page, "Post topic"), expect_path=re.compile(r"^/community/t/\d+/$"))
    topic_path = page.url.removeprefix(e2e_server.url).split("?")[0].split("#")[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # Another member sees the post folded, opens it, and replies anonymously.
    replier = open_browsing(viewport)
    rpage = replier.page
    sign_in(replier, replier_email, replier_code)
    replier.goto(f"/community/c/{slug}/")
    expect(rpage.get_by_text("new topic")).to_be_visible()
    replier.act(follow(rpage, title), expect_path=topic_path)
    note = rpage.locator("details.content-note").first
    expect(note).not_to_have_attribute("open", "")
    expect(rpage.get_by_text("I still replay our last session")).not_to_be_visible()
    note.locator("summary").click()
    expect(rpage.get_by_text("I still replay our last session")).to_be_visible()
    rpage.get_by_label(label("Your message")).fill("It took me a year. Supervision helped more than I expected.")
    rpage.get_by_label(re.compile("^Anonymously")).check()
    replier.act(submit(rpage, "Post reply"), expect_path=topic_path)
    reply = rpage.locator("#post-2")
    expect(reply.get_by_role("heading", name=re.compile("Verified clinician"))).to_be_visible()
    assert replier_pseudonym not in rpage.content()

    # ... and sends support to the first post (htmx swaps the buttons in place).
    support = rpage.locator("#post-1").get_by_role("button", name=re.compile("^Sending support"))
    support.click()
    expect(rpage.locator("#post-1").get_by_role("button", name=re.compile("^Sending support"))).to_have_attribute(
        "aria-pressed", "true"
    )
    replier.check()

    # The replier finds the topic by a word in it, and reports the first post.
    replier.goto("/community/search/")
    rpage.get_by_label(label("Search for")).fill(f"kestrel{tag}")
    replier.act(submit(rpage, "Search"), expect_path="/community/search/")
    replier.act(follow(rpage, title), expect_path=topic_path)
    replier.act(lambda: rpage.locator("#post-1").get_by_role("link", name=re.compile("^Report")).click(),
                expect_path=re.compile(r"^/safety/content/forums\.post/\d+/report/"))
    rpage.get_by_label(label("What is wrong?")).select_option(label="Identifying client information")
    replier.act(submit(rpage, "Send report"))

    # Nobody, a moderator included, sees who wrote the anonymous reply.
    moderator = open_browsing(viewport)
    mpage = moderator.page
    sign_in(moderator, moderator_email, moderator_code)
    moderator.goto(topic_path)
    expect(mpage.locator("#post-2").get_by_role("heading", name=re.compile("Verified clinician"))).to_be_visible()
    expect(mpage.locator("#post-1").get_by_role("button", name=re.compile("^Sending support"))).to_contain_text("1")
    assert replier_pseudonym not in mpage.content()
    assert author_pseudonym in mpage.content()

    # The moderator hides the reported post; members then see that it was hidden.
    moderator.act(lambda: mpage.locator("#post-1").get_by_role("link", name=re.compile("^Moderate")).click(),
                  expect_path=re.compile(r"^/community/moderation/posts/\d+/$"))
    expect(mpage.get_by_text("Identifying client information")).to_be_visible()
    moderator.act(submit(mpage, "Hide the post"), expect_path=re.compile(r"^/community/moderation/posts/\d+/$"))
    replier.goto(topic_path)
    expect(rpage.locator("#post-1").get_by_text("A moderator hid this post.")).to_be_visible()
    expect(rpage.get_by_text("I still replay our last session")).to_have_count(0)

    for person in (author, replier, moderator):
        person.assert_everything_checked()
