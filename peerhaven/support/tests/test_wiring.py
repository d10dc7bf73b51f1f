"""Every T4T feature can be reached from a page (the feedback form from the completed session,
the buddy and calendar-import tools from the supporter's own area, the calendar feed from the
member's pages), and a cancelled, moved or erased session makes its video room re-check who may
be in it, after the change is committed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.support.models import Booking, BookingStatus, SessionFeedback
from peerhaven.support.selectors.booking import open_slots
from peerhaven.support.services import booking as services
from peerhaven.support.tests.grid_booking import make_booking, make_supporter

pytestmark = pytest.mark.django_db


def _hrefs(response: Any) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


# --- links ---------------------------------------------------------------------------------------
def test_the_completed_session_page_links_the_seeker_to_feedback() -> None:
    seeker = make_member(verified=True)
    booking = make_booking(seeker, starts_in=-dt.timedelta(days=1), status=BookingStatus.COMPLETED)
    page = reverse("support:session", kwargs={"pk": booking.pk})
    feedback = reverse("support:feedback", kwargs={"pk": booking.pk})
    assert feedback in _hrefs(sign_in(Client(), seeker).get(page))
    # Not for the supporter, not once given.
    assert feedback not in _hrefs(sign_in(Client(), booking.supporter.user).get(page))
    SessionFeedback.objects.create(booking=booking, helpful=True, month=booking.starts_at.date().replace(day=1))
    assert feedback not in _hrefs(sign_in(Client(), seeker).get(page))


def test_a_session_not_completed_offers_no_feedback_link() -> None:
    seeker = make_member(verified=True)
    booking = make_booking(seeker, starts_in=dt.timedelta(days=2), status=BookingStatus.CONFIRMED)
    hrefs = _hrefs(sign_in(Client(), seeker).get(reverse("support:session", kwargs={"pk": booking.pk})))
    assert reverse("support:feedback", kwargs={"pk": booking.pk}) not in hrefs


@pytest.mark.parametrize("page", ["support:home", "support:supporter_requests", "support:availability"])
def test_the_supporters_own_area_links_their_buddy_and_calendar_import(page: str) -> None:
    supporter = make_supporter()
    hrefs = _hrefs(sign_in(Client(), supporter.user).get(reverse(page)))
    assert {reverse("support:buddy"), reverse("support:calendar_import")} <= hrefs


def test_a_supporter_not_yet_approved_is_not_sent_to_the_supporter_tools() -> None:
    supporter = make_supporter(status="applied")
    for page in ("support:home", "support:supporter_requests", "support:availability"):
        hrefs = _hrefs(sign_in(Client(), supporter.user).get(reverse(page)))
        assert not {reverse("support:buddy"), reverse("support:calendar_import")} & hrefs, page


@pytest.mark.parametrize("page", ["support:home", "support:my_sessions"])
def test_the_members_pages_link_their_calendar_feed(page: str) -> None:
    assert reverse("support:calendar_feed") in _hrefs(sign_in(Client(), make_member(verified=True)).get(reverse(page)))


# --- the video room re-checks --------------------------------------------------------------------
@pytest.fixture
def push() -> Any:
    with mock.patch("peerhaven.live.video.room_recheck_push") as pushed:
        yield pushed


def _booked(supporter: Any, seeker: Any, index: int = 0) -> Booking:
    slot = open_slots(supporter, viewer=seeker)[index]
    booking, _created = services.booking_create(
        actor=seeker, supporter=supporter, starts_at=slot.starts_at, length_minutes=slot.length_minutes
    )
    return booking


def test_cancelling_a_session_makes_its_room_recheck_after_commit(push: Any, django_capture_on_commit_callbacks: Any) -> None:
    supporter, seeker = make_supporter(min_notice_minutes=60), make_member(verified=True)
    booking = _booked(supporter, seeker)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_cancel(actor=seeker, booking=booking)
    push.assert_not_called()  # nothing before the commit
    for callback in callbacks:
        callback()
    push.assert_any_call(f"support.booking:{booking.pk}")


def test_moving_a_session_makes_the_old_room_recheck(push: Any, django_capture_on_commit_callbacks: Any) -> None:
    supporter, seeker = make_supporter(min_notice_minutes=60), make_member(verified=True)
    booking = _booked(supporter, seeker)
    later = [slot for slot in open_slots(supporter, viewer=seeker) if slot.starts_at > booking.blocked_until][0]
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.booking_reschedule(actor=seeker, booking=booking, starts_at=later.starts_at)
    assert moved.pk != booking.pk
    push.assert_any_call(f"support.booking:{booking.pk}")


def test_a_refused_cancellation_leaves_the_room_alone(push: Any, django_capture_on_commit_callbacks: Any) -> None:
    booking = make_booking(starts_in=-dt.timedelta(days=1), status=BookingStatus.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.booking_cancel(actor=booking.seeker, booking=booking)
    push.assert_not_called()


def test_erasing_a_member_makes_their_open_rooms_recheck(push: Any, django_capture_on_commit_callbacks: Any) -> None:
    supporter, seeker = make_supporter(min_notice_minutes=60), make_member(verified=True)
    booking = _booked(supporter, seeker)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_member(seeker, keep_posts_as_former_member=False)
    assert not Booking.objects.filter(pk=booking.pk).exists()
    push.assert_any_call(f"support.booking:{booking.pk}")
