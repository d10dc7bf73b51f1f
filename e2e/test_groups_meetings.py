"""Group meetings in Chromium: a facilitator schedules a monthly meeting with the friendly form;
a member confirms the group agreement for the meeting (which opens the room link), answers, and
volunteers to present; the facilitator gives them a timed slot and takes attendance; the member
reads and downloads their own attendance log. axe and CSP are checked on every page."""

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


def _verified_member(server: LiveServer, tag: str, name: str) -> tuple[str, Authenticator, str]:
    email = f"{name}-{tag}@example.org"
    pseudonym = f"{name}-{tag}"
    authenticator = Authenticator(secret=pyotp.random_base32())
    server.run_script("member", email, PASSWORD, authenticator.secret, pseudonym)
    return email, authenticator, pseudonym


@pytest.mark.timeout(600)  # a long journey, with the server started by the first one
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_monthly_meeting_from_scheduling_to_the_attendance_log(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    facilitator_email, facilitator_code, _ = _verified_member(e2e_server, tag, "lead")
    member_email, member_code, member_pseudonym = _verified_member(e2e_server, tag, "peer")
    group_id = int(e2e_server.run_script("groups:meetings_group", facilitator_email, member_email).strip())
    meetings_path = f"/groups/{group_id}/meetings/"

    # The facilitator schedules the second Thursday of each month, three times.
    facilitator = open_browsing(viewport)
    page = facilitator.page
    sign_in(facilitator, facilitator_email, facilitator_code)
    facilitator.goto(meetings_path)
    facilitator.act(follow(page, "Schedule meetings"), expect_path=f"{meetings_path}new/")
    page.get_by_label(label("Title")).fill("Monthly consultation")
    page.get_by_label("Once a month, on a given weekday").check()
    expect(page.get_by_label("Tuesday")).to_be_hidden()  # the script shows only what matters
    page.get_by_label(label("Which one in the month")).select_option(label="second")
    page.get_by_label(label("Weekday in the month")).select_option(label="Thursday")
    page.get_by_label(label("First date")).fill((dt.date.today() + dt.timedelta(days=1)).isoformat())
    page.get_by_label(label("Start time")).fill("18:00")
    page.get_by_label("After a number of meetings").check()
    page.get_by_label(label("Number of meetings")).fill("3")
    facilitator.act(submit(page, "Schedule"), expect_path=meetings_path)
    expect(page.get_by_text("Every month on the second Thursday, 3 meetings in all")).to_be_visible()

    # The member opens the next meeting and confirms the agreement for it: the room link appears.
    member = open_browsing(viewport)
    mpage = member.page
    sign_in(member, member_email, member_code)
    member.goto(meetings_path)
    member.act(lambda: mpage.locator(".meeting-list a").first.click(),
               expect_path=re.compile(r"^/groups/meetings/\d+/$"))
    meeting_path = mpage.url.removeprefix(e2e_server.url)
    agenda_anchor = re.compile(rf"^{re.escape(meeting_path)}#agenda$")  # agenda changes return to it
    expect(mpage.get_by_role("link", name="Enter the meeting's room")).to_have_count(0)
    member.act(submit(mpage, "I confirm the group agreement for this meeting"), expect_path=meeting_path)
    expect(mpage.get_by_role("link", name="Enter the meeting's room")).to_be_visible()
    member.act(submit(mpage, "Going"), expect_path=meeting_path)
    expect(mpage.get_by_role("button", name="Going", exact=True)).to_have_attribute("aria-pressed", "true")
    mpage.get_by_label(label("What you would like to bring")).fill("A question about endings")
    member.act(submit(mpage, "Join the presenter queue"), expect_path=agenda_anchor)
    expect(mpage.get_by_text("A question about endings")).to_be_visible()

    # The facilitator sees the answer and gives the volunteer a 20-minute slot.
    facilitator.goto(meeting_path)
    expect(page.get_by_text("1 going, 0 maybe, 0 not going")).to_be_visible()
    facilitator.act(submit(page, "Put “A question about endings” on the agenda"), expect_path=agenda_anchor)
    expect(page.locator("ol.agenda")).to_contain_text("A question about endings")
    expect(page.locator("ol.agenda .agenda-time")).to_have_text(re.compile(r"^\d\d:\d\d–\d\d:\d\d$"))

    # Attendance for a meeting that has started; the member's log counts it.
    started = int(e2e_server.run_script("groups:meeting_started", str(group_id)).strip())
    facilitator.goto(f"/groups/meetings/{started}/attendance/")
    row = page.get_by_role("group", name=member_pseudonym)
    row.get_by_label("Late").check()
    row.get_by_label("Minutes attended (optional)").fill("60")
    facilitator.act(submit(page, "Save attendance"), expect_path=f"/groups/meetings/{started}/")

    member.goto("/groups/meetings/attendance/")
    expect(mpage.get_by_text("Total: 1.00 hours")).to_be_visible()
    csv_response = mpage.request.get(e2e_server.url + "/groups/meetings/attendance.csv")
    assert csv_response.status == 200 and "Meetings group" in csv_response.text()
    pdf_response = mpage.request.get(e2e_server.url + "/groups/meetings/attendance.pdf")
    assert pdf_response.status == 200 and pdf_response.body().startswith(b"%PDF")
