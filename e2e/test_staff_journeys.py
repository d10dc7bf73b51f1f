"""Staff console journeys in Chromium (desktop; the foundation journey covers the phone):

- A staff member makes membership invitation-only, after which a visitor finds sign-up closed;
  they invite an address by e-mail (an e-mail with the link and nothing personal), the invitee
  signs up through the link with the address filled in and is walked to the second factor, and
  the console shows the invitation accepted.
- A staff member suspends a member who is signed in in another browser: that browser is signed
  out at its next step, and signing in again is refused with a kind word.

Staff tools need a passkey session: the staff member adds one with Chromium's virtual
authenticator and steps up with it, as the verifier does in e2e/test_journey.py. Every page on
the way is checked with axe and for CSP violations (e2e/browsing.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer
from e2e.test_journey import (
    PASSWORD,
    Authenticator,
    add_virtual_authenticator,
    confirm_password,
    follow,
    label,
    sign_in,
    submit,
)

INVITEE = "newmember@example.org"
SUSPENDED_MESSAGE = "This account is suspended. Contact the staff if you think this is a mistake."


@dataclass
class Account:
    email: str
    name: str
    authenticator: Authenticator


@pytest.fixture
def staff_admin(e2e_server: LiveServer) -> Iterator[Account]:
    """A staff member with password and authenticator app (no passkey yet). The membership
    policy is a single row on the worker's server: whatever a test set, the next test starts
    from the default again (anyone may sign up, invitations too)."""
    tag = uuid.uuid4().hex[:8]
    admin = Account(
        email=f"staff-{tag}@example.org",
        name=f"Ada Staffwright {tag}",
        authenticator=Authenticator(secret=pyotp.random_base32()),
    )
    e2e_server.run_script("staff", admin.email, PASSWORD, admin.authenticator.secret, admin.name)
    try:
        yield admin
    finally:
        e2e_server.run_script("open-signup", admin.email)


def sign_in_to_staff_console(person: CheckedBrowsing, admin: Account) -> None:
    """Password and code, then a passkey: added now, and used at once to step up."""
    page = person.page
    add_virtual_authenticator(page)
    sign_in(person, admin.email, admin.authenticator)

    person.act(follow(page, "Staff console"), expect_path=reverse("core:passkey_required"))
    person.act(follow(page, "Add a passkey"))
    confirm_password(person, then=reverse("mfa_add_webauthn"))
    page.get_by_label(label("Name")).fill("Office laptop")
    person.act(submit(page, "Add"))
    expect(page.get_by_role("status")).to_contain_text("Security key added.")

    person.act(follow(page, "Staff console"), expect_path=reverse("core:passkey_required"))
    person.act(follow(page, "Use my passkey"), expect_path=reverse("mfa_reauthenticate_webauthn"))
    person.act(submit(page, "Use a security key"), expect_path=reverse("staff:index"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff console")


def console(person: CheckedBrowsing, link: str, path: str) -> None:
    """One of the staff console's own sections, by its navigation."""
    page = person.page
    nav = page.get_by_role("navigation", name="Staff console")
    person.act(lambda: nav.get_by_role("link", name=link, exact=True).click(), expect_path=path)


def test_staff_invite_a_clinician_who_signs_up_through_the_invitation(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, staff_admin: Account
) -> None:
    staff = open_browsing("desktop")
    page = staff.page
    sign_in_to_staff_console(staff, staff_admin)

    # Invitation only: nobody may sign up on their own, no domain is admitted.
    console(staff, "Membership policy", reverse("staff:membership"))
    page.get_by_label("Anyone may sign up (their licence is verified after joining)").uncheck()
    page.get_by_label("Invited addresses may sign up").check()
    page.get_by_label(label("E-mail domains that may sign up")).fill("")
    staff.act(submit(page, "Save"), expect_path=reverse("staff:membership"))
    expect(page.get_by_role("status")).to_contain_text("The membership policy is saved.")
    expect(page.get_by_label("Anyone may sign up (their licence is verified after joining)")).not_to_be_checked()
    expect(page.get_by_label("Invited addresses may sign up")).to_be_checked()

    # A visitor without an invitation finds sign-up closed.
    visitor = open_browsing("desktop")
    visitor.goto(reverse("account_signup"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Sign Up Closed")
    expect(visitor.page.get_by_label(label("Email"))).to_have_count(0)

    console(staff, "Invitations", reverse("staff:invitations"))
    page.get_by_label(label("E-mail address to invite")).fill(INVITEE)
    staff.act(submit(page, "Send invitation"), expect_path=reverse("staff:invitations"))
    expect(page.get_by_role("status")).to_contain_text("Invitation sent.")
    row = page.get_by_role("row").filter(has_text=INVITEE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Waiting")

    # The e-mail is the link and nothing personal: not who invited, not their address.
    message = e2e_server.mailbox.wait_for_subject(INVITEE, "You are invited to join")
    text = e2e_server.mailbox.text_of(message)
    link = e2e_server.mailbox.wait_for_link(
        INVITEE, rf"{re.escape(e2e_server.url)}{re.escape('/staff/invitations/')}[\w-]+/accept/"
    )
    assert link in text
    for personal in (staff_admin.name, staff_admin.name.split()[0], staff_admin.email):
        assert personal not in text, f"the invitation e-mail names the staff member ({personal!r})"

    # The invitee opens the link in their own browser: sign-up opens with the address filled in,
    # and the address counts as confirmed (the link reached that inbox).
    newcomer = open_browsing("desktop")
    signup = newcomer.goto(link)
    newcomer.expect_path(reverse("account_signup"))
    expect(signup.get_by_role("heading", level=1)).not_to_have_text("Sign Up Closed")
    expect(signup.get_by_label(label("Email"))).to_have_value(INVITEE)
    signup.get_by_label(label("Password")).fill(PASSWORD)
    signup.get_by_label(label("Password (again)")).fill(PASSWORD)
    newcomer.act(submit(signup, "Sign Up"), expect_path=reverse("accounts:secure_account"))
    expect(signup.get_by_role("heading", level=1)).to_have_text("Protect your account")
    expect(signup.get_by_role("link", name="Set up an authenticator app")).to_be_visible()

    # The console shows the invitation accepted; it can no longer be revoked.
    staff.goto(reverse("staff:invitations"))
    row = page.get_by_role("row").filter(has_text=INVITEE)
    expect(row).to_contain_text("Accepted")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)

    # The link is spent: opened again, elsewhere, it explains and signs nobody up.
    latecomer = open_browsing("desktop")
    latecomer.goto(link)
    expect(latecomer.page.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    main = latecomer.page.get_by_role("main")
    expect(main.get_by_role("link", name="contact the staff", exact=True)).to_have_attribute("href", reverse("core:contact"))


def test_staff_suspend_a_member_signed_in_elsewhere_and_that_browser_is_signed_out(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, staff_admin: Account
) -> None:
    tag = uuid.uuid4().hex[:8]
    member_account = Account(
        email=f"sam-{tag}@example.org", name=f"quiet-river-{tag}",
        authenticator=Authenticator(secret=pyotp.random_base32()),
    )
    e2e_server.run_script(
        "member", member_account.email, PASSWORD, member_account.authenticator.secret, member_account.name
    )
    reason = f"Shared a client's details in a group ({tag})"

    # Browser A: the member, signed in and on their home page.
    member = open_browsing("desktop")
    sign_in(member, member_account.email, member_account.authenticator)
    expect(member.page.get_by_text("Verified clinician", exact=True)).to_be_visible()

    # Browser B: staff find the member and suspend them with a reason.
    staff = open_browsing("desktop")
    page = staff.page
    sign_in_to_staff_console(staff, staff_admin)
    console(staff, "Members", reverse("staff:members"))
    page.get_by_label(label("E-mail or pseudonym contains")).fill(member_account.email)
    staff.act(submit(page, "Filter"), expect_path=reverse("staff:members"))
    found = page.get_by_role("row").filter(has_text=member_account.email)
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Active")
    staff.act(
        lambda: found.get_by_role("link", name=member_account.name).click(),
        expect_path=re.compile(r"^/staff/members/[0-9a-f-]{36}/$"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(member_account.name)
    page.get_by_label(label("Reason (kept for staff only, never sent to the member)")).fill(reason)
    staff.act(submit(page, "Suspend this member"), expect_path=re.compile(r"^/staff/members/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("status")).to_contain_text("Suspended. Their sessions, tokens and connections have ended")
    expect(page.get_by_role("main")).to_contain_text("Suspended since")
    expect(page.get_by_role("main")).to_contain_text(reason)
    expect(page.get_by_role("button", name="Suspend this member")).to_have_count(0)

    # Browser A's next step lands on the sign-in page: its session is gone.
    member_page = member.page
    member.act(follow(member_page, "Profile"), expect_path=reverse("account_login"))
    nav = member_page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(member_page.get_by_role("button", name="Sign out")).to_have_count(0)

    # Signing in again is refused, kindly, before any second factor is asked for.
    member_page.get_by_label(label("Email")).fill(member_account.email)
    member_page.get_by_label(label("Password")).fill(PASSWORD)
    member.act(submit(member_page, "Sign In"), expect_path=reverse("account_login"))
    expect(member_page.get_by_role("status")).to_contain_text(SUSPENDED_MESSAGE)
    expect(member_page.get_by_label(label("Code"))).to_have_count(0)
    member.goto(reverse("core:home"))
    member.expect_path(reverse("account_login"))

    # They were told by e-mail, without the staff's reason.
    told = e2e_server.mailbox.wait_for_subject(member_account.email, "Your account has been suspended")
    assert reason not in e2e_server.mailbox.text_of(told)
    assert tag not in e2e_server.mailbox.text_of(told).replace(member_account.email, "")
