"""Attendance: taken by facilitators only, from when the room opens; the member's own CE log as a
page, CSV and PDF (their rows only, no content of discussions); privacy export and erasure."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
import zlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core import privacy
from peerhaven.groups.meetings_setup import PRIVACY_SECTION
from peerhaven.groups.models.meetings import MeetingAttendance, MeetingRsvp
from peerhaven.groups.selectors.meetings import attendance_log
from peerhaven.groups.services.meetings import (
    AttendanceEntry,
    agenda_volunteer,
    agreement_acknowledge,
    attendance_record,
    meeting_cancel,
    rsvp_set,
)
from peerhaven.groups.tests.grid_meetings import make_group, make_meeting


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    facilitator = make_member(verified=True)
    facilitator.profile.display_name = "Dr Facilitator"
    facilitator.profile.default_identity = "display_name"
    facilitator.profile.save()
    alice = make_member(verified=True)
    bob = make_member(verified=True)
    group = make_group(facilitator, members=(alice, bob), name="Ethics circle")
    held = make_meeting(group, starts_in=-dt.timedelta(days=7), minutes=90)
    return {"facilitator": facilitator, "alice": alice, "bob": bob, "group": group, "held": held}


def _record(people: dict[str, Any], meeting: Any = None) -> None:
    attendance_record(actor=people["facilitator"], meeting=meeting or people["held"], entries=[
        AttendanceEntry(member_id=people["alice"].pk, status="present"),
        AttendanceEntry(member_id=people["bob"].pk, status="late", minutes_attended=60),
        AttendanceEntry(member_id=people["facilitator"].pk, status="present"),
    ])


def test_it_lets_only_facilitators_take_attendance(people: dict[str, Any]) -> None:
    entries = [AttendanceEntry(member_id=people["alice"].pk, status="present")]
    with pytest.raises(PermissionDenied):
        attendance_record(actor=people["alice"], meeting=people["held"], entries=entries)
    url = reverse("groups:meeting_attendance", kwargs={"pk": people["held"].pk})
    assert sign_in(Client(), people["alice"]).get(url).status_code == 404
    assert sign_in(Client(), people["alice"]).post(url, {f"status_{people['alice'].pk}": "present"}).status_code == 404
    assert sign_in(Client(), make_member(verified=True)).get(url).status_code == 404
    assert not MeetingAttendance.objects.exists()


def test_it_opens_attendance_with_the_room_and_never_for_cancelled_meetings(people: dict[str, Any]) -> None:
    later = make_meeting(people["group"], starts_in=dt.timedelta(hours=2))
    entries = [AttendanceEntry(member_id=people["alice"].pk, status="present")]
    with pytest.raises(PermissionDenied):
        attendance_record(actor=people["facilitator"], meeting=later, entries=entries)
    attendance_record(actor=people["facilitator"], meeting=later, entries=entries,
                      now=later.starts_at - dt.timedelta(minutes=5))
    soon = make_meeting(people["group"], starts_in=dt.timedelta(days=1))
    cancelled = meeting_cancel(actor=people["facilitator"], meeting=soon)
    with pytest.raises(PermissionDenied):
        attendance_record(actor=people["facilitator"], meeting=cancelled, entries=entries,
                          now=cancelled.starts_at + dt.timedelta(minutes=5))


def test_it_refuses_bad_entries_all_or_nothing(people: dict[str, Any]) -> None:
    outsider = make_member(verified=True)
    for entries in (
        [AttendanceEntry(member_id=people["alice"].pk, status="present"), AttendanceEntry(member_id=outsider.pk, status="present")],
        [AttendanceEntry(member_id=people["alice"].pk, status="asleep")],
        [AttendanceEntry(member_id=people["alice"].pk, status="late", minutes_attended=500)],
    ):
        with pytest.raises(ValidationError):
            attendance_record(actor=people["facilitator"], meeting=people["held"], entries=entries)
    assert not MeetingAttendance.objects.exists()


def test_it_takes_attendance_through_the_page_and_corrects_it(people: dict[str, Any]) -> None:
    client = sign_in(Client(), people["facilitator"])
    url = reverse("groups:meeting_attendance", kwargs={"pk": people["held"].pk})
    page = client.get(url)
    assert page.status_code == 200 and people["alice"].public_name in page.content.decode()
    data = {f"status_{people['alice'].pk}": "present", f"status_{people['bob'].pk}": "absent",
            f"status_{people['facilitator'].pk}": "present", f"minutes_{people['bob'].pk}": "30"}
    assert client.post(url, data).status_code == 302
    bob_row = MeetingAttendance.objects.get(member=people["bob"])
    assert (bob_row.status, bob_row.minutes_attended) == ("absent", None)  # absent: no minutes
    data[f"status_{people['bob'].pk}"] = "late"
    assert client.post(url, data).status_code == 302
    bob_row.refresh_from_db()
    assert (bob_row.status, bob_row.minutes_attended) == ("late", 30)
    assert MeetingAttendance.objects.count() == 3
    data[f"minutes_{people['bob'].pk}"] = "999"
    assert client.post(url, data).status_code == 422


def test_it_builds_the_log_from_attended_meetings_only(people: dict[str, Any]) -> None:
    _record(people)
    other = make_meeting(people["group"], starts_in=-dt.timedelta(days=14), minutes=60)
    attendance_record(actor=people["facilitator"], meeting=other, entries=[
        AttendanceEntry(member_id=people["bob"].pk, status="absent"),
        AttendanceEntry(member_id=people["alice"].pk, status="present", minutes_attended=45),
    ])
    log = attendance_log(people["alice"])
    assert [entry.credited_minutes for entry in log.entries] == [45, 90]  # oldest first
    assert log.total_minutes == 135 and log.total_hours == "2.25"
    assert {entry.facilitator for entry in log.entries} == {"Dr Facilitator"}
    bob_log = attendance_log(people["bob"])
    assert [(entry.status, entry.credited_minutes) for entry in bob_log.entries] == [("Late", 60)]


def test_it_exports_the_members_own_log_as_csv(people: dict[str, Any]) -> None:
    _record(people)
    # Things said or written in the group must never reach the log.
    agenda_volunteer(actor=people["alice"], meeting=make_meeting(people["group"]), title="Secret case title")
    response = sign_in(Client(), people["bob"]).get(reverse("groups:meeting_attendance_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Date", "Start", "Group", "Kind", "Attendance", "Meeting minutes", "Minutes credited", "Facilitator"]
    assert rows[1][2:] == ["Ethics circle", "Case consultation", "Late", "90", "60", "Dr Facilitator"]
    assert rows[1][0] == people["held"].starts_at.date().isoformat() or len(rows[1][0]) == 10
    assert rows[-1] == ["Total hours", "1.00"]
    text = response.content.decode()
    assert "Secret case title" not in text
    assert people["alice"].public_name not in text  # another member's attendance is not in Bob's log


def test_it_exports_the_members_own_log_as_pdf(people: dict[str, Any]) -> None:
    _record(people)
    response = sign_in(Client(), people["alice"]).get(reverse("groups:meeting_attendance_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    text = _pdf_text(body)
    for expected in ("Ethics circle", "Case consultation", "Present", "90", "Dr Facilitator",
                     "Total hours attended: 1.50", "Group meeting attendance log"):
        assert expected in text, expected
    assert people["bob"].public_name not in text


def test_it_never_exports_another_members_log(people: dict[str, Any]) -> None:
    _record(people)
    stranger = make_member(verified=True)
    for name in ("groups:meeting_attendance_csv", "groups:meeting_attendance_pdf", "groups:meeting_attendance_log"):
        # There is no parameter to ask for someone else: a query string changes nothing.
        body = sign_in(Client(), stranger).get(reverse(name), {"member": people["alice"].pk}).content
        text = _pdf_text(body) if body.startswith(b"%PDF") else body.decode()
        assert "Ethics circle" not in text
    csv_body = sign_in(Client(), stranger).get(reverse("groups:meeting_attendance_csv")).content.decode()
    assert list(csv.reader(io.StringIO(csv_body)))[-1] == ["Total hours", "0.00"]


def test_it_keeps_the_log_after_leaving_the_group(people: dict[str, Any]) -> None:
    from peerhaven.groups.models.groups import Membership, MembershipStatus

    _record(people)
    Membership.objects.filter(user=people["alice"]).update(status=MembershipStatus.LEFT)
    page = sign_in(Client(), people["alice"]).get(reverse("groups:meeting_attendance_log"))
    assert page.status_code == 200 and "Ethics circle" in page.content.decode()


def test_it_neutralises_spreadsheet_formulas_in_the_csv(people: dict[str, Any]) -> None:
    people["group"].name = "=HYPERLINK(\"http://example.org\")"
    people["group"].save(update_fields=["name"])
    _record(people)
    body = sign_in(Client(), people["alice"]).get(reverse("groups:meeting_attendance_csv")).content.decode()
    assert list(csv.reader(io.StringIO(body)))[1][2].startswith("'=")


def test_it_exports_and_erases_the_members_meeting_data(people: dict[str, Any]) -> None:
    upcoming = make_meeting(people["group"])
    rsvp_set(actor=people["alice"], meeting=upcoming, response="going")
    agreement_acknowledge(actor=people["alice"], meeting=upcoming)
    agenda_volunteer(actor=people["alice"], meeting=upcoming, title="My question")
    _record(people)
    section = next(s for s in privacy.sections() if s.name == PRIVACY_SECTION)
    exported = section.exporter(people["alice"])  # type: ignore[misc]
    assert [row["response"] for row in exported["rsvps"]] == ["going"]
    assert len(exported["agreement_acknowledgements"]) == 1
    assert [row["status"] for row in exported["attendance"]] == ["present"]
    assert [row["title"] for row in exported["agenda_items_presenting"]] == ["My question"]
    assert people["bob"].public_name not in str(exported)
    section.eraser(people["alice"], keep_posts_as_former_member=True)  # type: ignore[misc]
    assert not MeetingRsvp.objects.filter(member=people["alice"]).exists()
    assert not MeetingAttendance.objects.filter(member=people["alice"]).exists()
    assert MeetingAttendance.objects.filter(member=people["bob"]).exists()
    people["alice"].delete()  # nothing left pointing at her blocks the deletion
    people["facilitator"].delete()
    assert MeetingAttendance.objects.get(member=people["bob"]).recorded_by is None


def _pdf_text(body: bytes) -> str:
    """Text drawn in a reportlab PDF: the literal strings shown by its (encoded) content streams."""
    chunks = []
    for raw in re.findall(rb"[^d]stream\r?\n(.*?)\r?\n?endstream", body, flags=re.S):
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw, adobe=True)
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        chunks.append(raw.decode("latin-1"))
    joined = "".join(chunks)
    return " ".join(match.replace("\\(", "(").replace("\\)", ")") for match in re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", joined))
