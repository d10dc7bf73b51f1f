"""Supporter wellbeing (buddies and debrief requests), the seeker's private feedback with the
staff's suppressed aggregates, matching preferences, and the member's export and erasure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.notifications.models import Notification
from peerhaven.support.models import (
    Booking,
    BookingStatus,
    Buddy,
    MatchingPreference,
    SessionFeedback,
)
from peerhaven.support.selectors.matching import feedback_aggregates
from peerhaven.support.services.matching import (
    buddy_set,
    export_member,
    feedback_give,
    never_match_add,
    relationship_declare,
)
from peerhaven.support.tests.grid_matching import make_completed_booking, make_supporter

pytestmark = pytest.mark.django_db


# --- buddies ------------------------------------------------------------------------------------
def test_it_lets_a_supporter_name_a_buddy_seen_only_by_the_two() -> None:
    me = make_supporter()
    buddy = make_supporter()
    outsider = make_supporter()
    my_client = sign_in(Client(), me.user)
    page = my_client.get(reverse("support:buddy"))
    assert page.status_code == 200
    assert my_client.post(reverse("support:buddy"), {"buddy": buddy.pk}).status_code == 302
    assert Buddy.objects.get(supporter=me).buddy == buddy
    mine = my_client.get(reverse("support:buddy")).content.decode()
    assert f"Your buddy is {buddy.user.public_name}." in mine
    theirs = sign_in(Client(), buddy.user).get(reverse("support:buddy")).content.decode()
    assert me.user.public_name in theirs  # "Supporters who named you"
    others = sign_in(Client(), outsider.user).get(reverse("support:buddy")).content.decode()
    assert f"Your buddy is {buddy.user.public_name}" not in others and "You have not named a buddy yet." in others
    assert me.user.public_name not in others.split("Supporters who named you")[1]


def test_it_refuses_a_buddy_across_an_exclusion_or_oneself() -> None:
    me = make_supporter()
    colleague = make_supporter()
    relationship_declare(actor=colleague.user, label=me.user.email, kind="colleague")
    with pytest.raises(ValidationError):
        buddy_set(actor=me.user, supporter=me, buddy=colleague)
    with pytest.raises(ValidationError):
        buddy_set(actor=me.user, supporter=me, buddy=me)
    response = sign_in(Client(), me.user).post(reverse("support:buddy"), {"buddy": colleague.pk})
    assert response.status_code == 400
    assert colleague.user.public_name not in response.content.decode()


def test_it_asks_the_buddy_for_a_debrief_without_content(django_capture_on_commit_callbacks: Any) -> None:
    me = make_supporter()
    buddy = make_supporter()
    buddy_set(actor=me.user, supporter=me, buddy=buddy)
    client = sign_in(Client(), me.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("support:buddy_debrief")).status_code == 302
    notification = Notification.objects.get(user=buddy.user)
    assert notification.kind == "support.debrief_requested" and notification.link == reverse("support:buddy")
    # At most once an hour.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("support:buddy_debrief"))
    assert Notification.objects.filter(user=buddy.user).count() == 1
    # Without a buddy: a kind message, nothing sent.
    lonely = make_supporter()
    response = sign_in(Client(), lonely.user).post(reverse("support:buddy_debrief"), follow=True)
    assert "Name a buddy first." in response.content.decode()


def test_it_links_a_supporter_to_pausing() -> None:
    me = make_supporter()
    body = sign_in(Client(), me.user).get(reverse("support:buddy")).content.decode()
    assert reverse("support:supporter_pause") in body


# --- feedback -----------------------------------------------------------------------------------
def test_it_takes_feedback_once_after_a_completed_session() -> None:
    seeker = make_member(verified=True)
    booking = make_completed_booking(seeker)
    client = sign_in(Client(), seeker)
    assert client.get(reverse("support:feedback", kwargs={"pk": booking.pk})).status_code == 200
    response = client.post(reverse("support:feedback", kwargs={"pk": booking.pk}), {"helpful": "yes", "comment": "Kind and clear."})
    assert response.status_code == 302
    feedback = SessionFeedback.objects.get(booking=booking)
    assert feedback.helpful is True and feedback.comment == "Kind and clear."
    # Encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM support_sessionfeedback WHERE id = %s", [feedback.pk])
        assert "Kind and clear" not in cursor.fetchone()[0]
    again = client.post(reverse("support:feedback", kwargs={"pk": booking.pk}), {"helpful": "no"})
    assert again.status_code == 409
    assert SessionFeedback.objects.filter(booking=booking).count() == 1
    # The audit entry names the feedback, not the booking.
    entry = AuditEntry.objects.get(action="support.feedback.give")
    assert entry.target_type == "support.sessionfeedback" and str(booking.pk) not in str(entry.data)


def test_it_refuses_feedback_before_completion_and_from_others() -> None:
    seeker = make_member(verified=True)
    booking = make_completed_booking(seeker)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
    client = sign_in(Client(), seeker)
    assert client.post(reverse("support:feedback", kwargs={"pk": booking.pk}), {"helpful": "yes"}).status_code == 409
    supporter_client = sign_in(Client(), booking.supporter.user)
    assert supporter_client.get(reverse("support:feedback", kwargs={"pk": booking.pk})).status_code == 404
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)
    assert client.post(reverse("support:feedback", kwargs={"pk": booking.pk}), {"helpful": "maybe"}).status_code == 400
    assert client.post(reverse("support:feedback", kwargs={"pk": booking.pk}), {"helpful": "no", "comment": "x" * 2001}).status_code == 400
    assert not SessionFeedback.objects.exists()


def _feedback_in(month: dt.datetime, helpful: list[bool]) -> None:
    supporter = make_supporter(every_day=False)
    for index, verdict in enumerate(helpful):
        seeker = make_member(verified=True)
        booking = make_completed_booking(seeker, supporter, starts_at=month + dt.timedelta(days=index, hours=9))
        feedback_give(actor=seeker, booking=booking, helpful=verdict, comment=f"comment {month:%m}-{index}")


def test_it_shows_staff_aggregates_with_small_cells_suppressed() -> None:
    now = timezone.now()
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    _feedback_in(last_month, [True, True, True, False, True, False])  # six: shown
    _feedback_in(this_month, [True, False, True])  # three: suppressed
    rows = {row.month: row for row in feedback_aggregates(now=now)}
    assert rows[last_month.date()].total == 6 and rows[last_month.date()].helpful_ratio == pytest.approx(4 / 6)
    assert rows[this_month.date()].suppressed and rows[this_month.date()].total is None
    staff = make_member(verified=True, roles=("staff",))
    response = sign_in(Client(), staff, passkey=True).get(reverse("support:feedback_aggregates"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "fewer than 5" in body and ">6<" in body and "67 %" in body
    # Comments of the shown month only; never a name or a session.
    assert f"comment {last_month:%m}-0" in body and f"comment {this_month:%m}-0" not in body
    for booking in Booking.objects.select_related("seeker__profile", "supporter__user__profile"):
        assert booking.seeker.public_name not in body and booking.supporter.user.public_name not in body
    assert AuditEntry.objects.filter(action="support.feedback.view_aggregates").exists()


# --- preferences and privacy ----------------------------------------------------------------------
def test_it_saves_and_clears_private_preferences() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    assert client.get(reverse("support:preferences")).status_code == 200
    response = client.post(reverse("support:preferences"), {"needs": ["grief", "burnout"], "languages": ["es"], "session_length": ""})
    assert response.status_code == 302
    preference = MatchingPreference.objects.get(member=member)
    assert preference.needs == ["burnout", "grief"] and preference.languages == ["es"] and preference.session_length is None
    assert client.post(reverse("support:preferences"), {"needs": ["not-a-topic"]}).status_code == 400
    client.post(reverse("support:preferences"), {"action": "clear"})
    assert not MatchingPreference.objects.filter(member=member).exists()


def test_it_exports_and_erases_the_members_matching_data() -> None:
    from peerhaven.core.privacy import erase_sections

    member = make_member(verified=True)
    relationship_declare(actor=member, label="my-supervisor@clinic.example", kind="supervisor")
    never_match_add(actor=member, label="AvoidMe")
    booking = make_completed_booking(member)
    feedback_give(actor=member, booking=booking, helpful=True, comment="Thanks")
    exported = export_member(member)
    assert exported["declared_relationships"][0]["label"] == "my-supervisor@clinic.example"
    assert exported["never_match"][0]["label"] == "AvoidMe"
    assert exported["session_feedback"][0]["comment"] == "Thanks"
    erase_sections(member, keep_posts_as_former_member=False)
    exported = export_member(member)
    assert exported["declared_relationships"] == [] and exported["never_match"] == []
