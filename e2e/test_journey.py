"""The foundation's whole journey in Chromium, at desktop and phone sizes: a clinician signs up,
confirms the e-mail, enrols an authenticator app, accepts the terms, fills in the profile and
submits a licence; a verifier signs in, steps up with a passkey (Chromium's virtual
authenticator) and approves; the clinician signs in again and is a verified member.
Every page on the way is checked with axe (see e2e/browsing.py)."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer

PASSWORD = "a long and calm harbour 42"


@dataclass
class Authenticator:
    """The member's authenticator app: one code per 30-second step, never the same code twice
    (allauth refuses a code that was already used)."""

    secret: str
    used: set[str] = field(default_factory=set)

    def code(self) -> str:
        totp = pyotp.TOTP(self.secret)
        while True:
            left_in_step = totp.interval - time.time() % totp.interval
            current = totp.now()
            # A code about to roll over may reach the server in the next step and be refused.
            if current not in self.used and left_in_step > 3:
                self.used.add(current)
                return current
            time.sleep(left_in_step + 0.1)


def licence_png() -> dict[str, object]:
    """A small, real PNG scan of a 'licence' (the server sniffs content, not the name)."""
    image = Image.new("RGB", (320, 200), "white")
    for x in range(20, 300):
        for y in (40, 80, 120):
            image.putpixel((x, y), (20, 40, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"name": "licence.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def label(text: str) -> re.Pattern[str]:
    """A form field's accessible name, as allauth ("Email:") or our forms ("Email (required)")
    render it."""
    return re.compile(rf"^\s*{re.escape(text)}:?(\s*\(required\))?\s*$")


def submit(page: Page, name: str) -> Callable[[], None]:
    return lambda: page.get_by_role("button", name=name, exact=True).click()


def follow(page: Page, name: str) -> Callable[[], None]:
    return lambda: page.get_by_role("link", name=name, exact=True).first.click()


def confirm_password(person: CheckedBrowsing, then: str) -> None:
    """allauth asks for the password again before any second factor is added (re-authentication
    counts only when it is fresh and explicit, even right after signing in)."""
    page = person.page
    person.expect_path(reverse("account_reauthenticate"))
    page.get_by_placeholder("Password").fill(PASSWORD)
    person.act(submit(page, "Confirm"), expect_path=then)


def sign_in(person: CheckedBrowsing, email: str, authenticator: Authenticator) -> None:
    page = person.goto(reverse("account_login"))
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    person.act(submit(page, "Sign In"), expect_path=reverse("mfa_authenticate"))
    page.get_by_label(label("Code")).fill(authenticator.code())
    person.act(submit(page, "Sign In"), expect_path=reverse("core:home"))


def sign_up_and_secure(person: CheckedBrowsing, server: LiveServer, email: str) -> Authenticator:
    page = person.goto(reverse("core:services"))
    person.act(follow(page, "Join"), expect_path=reverse("account_signup"))
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_label(label("Password (again)")).fill(PASSWORD)
    person.act(submit(page, "Sign Up"), expect_path=reverse("account_email_verification_sent"))

    link = server.mailbox.wait_for_link(email, rf"{re.escape(server.url)}/accounts/confirm-email/\S+/")
    person.goto(link)
    # Signed in by the confirmation, then walked straight to the first step: a second factor.
    person.act(submit(page, "Confirm"), expect_path=reverse("accounts:secure_account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Protect your account")

    person.act(follow(page, "Set up an authenticator app"))
    confirm_password(person, then=reverse("mfa_activate_totp"))
    authenticator = Authenticator(secret=page.get_by_label(label("Authenticator secret")).input_value())
    assert re.fullmatch(r"[A-Z2-7]{16,}", authenticator.secret), "the page shows a base32 secret"
    page.get_by_label(label("Authenticator code")).fill(authenticator.code())
    person.act(submit(page, "Activate"))
    if page.url.removeprefix(person.base_url).startswith(reverse("mfa_view_recovery_codes")):
        codes = page.get_by_label(label("Unused codes")).input_value().split()
        assert len(codes) >= 8, "recovery codes are shown once, to be kept"

    # Anywhere the member goes next, the gate asks for the terms first.
    person.act(follow(page, "Home"), expect_path=reverse("accounts:terms_accept"))
    page.get_by_label(label("I have read and accept the terms of use and the community guidelines.")).check()
    person.act(submit(page, "Accept and continue"), expect_path=reverse("core:home"))
    expect(page.get_by_role("heading", name="Get verified to join the programmes")).to_be_visible()
    return authenticator


def fill_profile(person: CheckedBrowsing, display_name: str, pseudonym: str) -> None:
    page = person.page
    person.act(follow(page, "Profile"), expect_path=reverse("accounts:profile"))
    page.get_by_label(label("Display name")).fill(display_name)
    page.get_by_label(label("Pseudonym")).fill(pseudonym)
    page.get_by_label(label("Specialties")).fill("grief, trauma")
    person.act(submit(page, "Save profile"), expect_path=reverse("accounts:profile"))
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")


def submit_licence(person: CheckedBrowsing, number: str) -> None:
    from peerhaven.verification.models import LicenceType

    page = person.page
    person.act(follow(page, "Licence"), expect_path=reverse("verification:my_licence"))
    page.get_by_label(label("Licence type")).select_option(label=str(LicenceType.choices[0][1]))
    page.get_by_label(label("Licence number")).fill(number)
    page.get_by_label(label("Issuing jurisdiction")).fill("Oregon")
    expires = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    page.get_by_label(label("Expiry date")).fill(expires)
    page.get_by_label(label("Licence document")).set_input_files(licence_png())  # type: ignore[arg-type]
    person.act(submit(page, "Submit for review"), expect_path=reverse("verification:my_licence"))
    expect(page.get_by_role("main")).to_contain_text("Pending review")


def sign_out(person: CheckedBrowsing) -> None:
    page = person.page
    person.act(submit(page, "Sign out"))
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()


def add_virtual_authenticator(page: Page) -> None:
    """Chromium's virtual authenticator: a platform passkey that always verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def verifier_approves(person: CheckedBrowsing, server: LiveServer, member_name: str, licence_number: str) -> None:
    email = f"verifier-{uuid.uuid4().hex[:10]}@example.org"
    authenticator = Authenticator(secret=pyotp.random_base32())
    server.run_script("verifier", email, PASSWORD, authenticator.secret)
    page = person.page
    add_virtual_authenticator(page)
    sign_in(person, email, authenticator)

    # Verifier tools need a passkey sign-in; this verifier has none yet.
    person.act(follow(page, "Verification queue"), expect_path=reverse("core:passkey_required"))
    person.act(follow(page, "Add a passkey"))
    confirm_password(person, then=reverse("mfa_add_webauthn"))
    page.get_by_label(label("Name")).fill("Laptop")
    person.act(submit(page, "Add"))
    expect(page.get_by_role("status")).to_contain_text("Security key added.")

    # Step up: use the passkey just registered, so this session counts as passkey-authenticated.
    person.act(follow(page, "Verification queue"), expect_path=reverse("core:passkey_required"))
    person.act(follow(page, "Use my passkey"), expect_path=reverse("mfa_reauthenticate_webauthn"))
    person.act(submit(page, "Use a security key"), expect_path=reverse("verification:queue"))

    submission = page.get_by_role("row").filter(has_text=member_name)
    expect(submission).to_have_count(1)
    expect(submission).to_contain_text("Pending review")
    person.act(
        lambda: submission.get_by_role("link", name="Review").click(),
        expect_path=re.compile(r"^/verification/queue/\d+/$"),
    )
    expect(page.get_by_role("main")).to_contain_text(licence_number)
    page.get_by_label(label("I checked this licence with the issuing board's public register.")).check()
    person.act(submit(page, "Approve this licence"), expect_path=reverse("verification:queue"))
    expect(page.get_by_role("status")).to_contain_text("Approved. The member has been told.")
    expect(page.get_by_role("row").filter(has_text=member_name)).not_to_contain_text("Pending review")
    sign_out(person)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_takes_a_clinician_from_sign_up_to_verified_member(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:10]
    email = f"robin-{tag}@example.org"
    pseudonym = f"calm-harbour-{tag}"
    display_name = f"Robin {tag}"
    licence_number = f"LPC-{tag[:6].upper()}"

    member = open_browsing(viewport)
    authenticator = sign_up_and_secure(member, e2e_server, email)
    fill_profile(member, display_name, pseudonym)
    submit_licence(member, licence_number)
    sign_out(member)

    verifier = open_browsing(viewport)
    verifier_approves(verifier, e2e_server, display_name, licence_number)

    # The member is told by e-mail, and the e-mail carries no content: no licence details.
    e2e_server.mailbox.wait_for_subject(email, "There is something new for you")
    for message in e2e_server.mailbox.messages_to(email):
        assert licence_number not in e2e_server.mailbox.text_of(message)

    sign_in(member, email, authenticator)
    page = member.page
    expect(page.get_by_role("link", name="Your licence is verified")).to_be_visible()
    expect(page.get_by_text("Verified clinician", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Get verified to join the programmes")).to_have_count(0)
    programmes = page.get_by_role("heading", level=3).get_by_role("link")
    assert programmes.count() == 6, "all six programmes are listed for a verified member"
    first = programmes.first.inner_text()
    member.act(lambda: programmes.first.click(), expect_path=re.compile(r"^/programmes/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(first)
