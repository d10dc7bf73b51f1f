"""Booking over HTTP: the pages (labels, crisis resources, slots in the viewer's zone), the form's
hidden idempotency token, 409 with fresh slots (page and API), the Idempotency-Key header, the
.ics and the private feed (neutral entries only, revocable, hashed), the supporter's tools and
query counts that do not grow with data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.models import Profile
from peerhaven.accounts.tests.factories import make_member
from peerhaven.support.models import (
    AvailabilityWindow,
    Blackout,
    Booking,
    CalendarFeedToken,
    DateOverride,
    SupporterAgreement,
    SupporterProfile,
)
from peerhaven.support.selectors.booking import open_slots
from peerhaven.support.services import booking as services
from peerhaven.support.tests.grid_booking import make_booking, make_supporter

LABEL = "Peer support — not therapy, not crisis care"


@pytest.fixture
def supporter() -> Any:
    return make_supporter(time_zone="America/New_York", lengths=(50,), min_notice_minutes=60)


@pytest.fixture
def seeker() -> Any:
    member = make_member(verified=True)
    Profile.objects.filter(user=member).update(time_zone="Asia/Tokyo", display_name="Dr Seeker Secret")
    return member


def _client(user: Any) -> Client:
    client = sign_in(Client(), user)
    # The time-zone middleware reads the zone kept in the session at sign-in.
    session = client.session
    session["peerhaven_tz"] = Profile.objects.get(user=user).time_zone
    session.save()
    return client


def _slot(supporter: Any, seeker: Any, index: int = 0) -> Any:
    return open_slots(supporter, viewer=seeker)[index]


def _book_page_post(client: Client, supporter: Any, slot: Any, key: str = "form-key-1", note: str = "") -> Any:
    return client.post(reverse("support:book", kwargs={"pk": supporter.pk}), {
        "start": slot.key, "length": slot.length_minutes, "request_key": key, "note": note,
    })


@pytest.mark.django_db
def test_the_supporter_page_offers_slots_and_labels_peer_support(supporter: Any, seeker: Any) -> None:
    response = _client(seeker).get(reverse("support:supporter_detail", kwargs={"pk": supporter.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert LABEL in html and "crisis" in html.lower()
    # Two weeks at a time, from the viewer's own midnight (Tokyo), and a link to later dates.
    import zoneinfo

    tokyo_midnight = dt.datetime.combine(timezone.localdate(timezone=zoneinfo.ZoneInfo("Asia/Tokyo")), dt.time(),
                                         tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    fortnight = [slot for slot in open_slots(supporter, viewer=seeker, lengths=[50])
                 if slot.starts_at <= tokyo_midnight + dt.timedelta(days=14)]
    assert fortnight and html.count('name="start"') == len(fortnight)
    assert "Later dates" in html


@pytest.mark.django_db
def test_booking_through_the_page_confirms_and_a_resubmitted_form_books_once(supporter: Any, seeker: Any) -> None:
    client = _client(seeker)
    slot = _slot(supporter, seeker)
    form = client.get(reverse("support:book", kwargs={"pk": supporter.pk}), {"start": slot.key, "length": 50})
    assert form.status_code == 200 and LABEL in form.content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', form.content.decode()).group(1)
    first = _book_page_post(client, supporter, slot, key=key, note="Feeling flat")
    again = _book_page_post(client, supporter, slot, key=key, note="Feeling flat")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Booking.objects.filter(seeker=seeker).count() == 1
    confirmation = client.get(first["Location"])
    html = confirmation.content.decode()
    assert "Your session is booked." in html and LABEL in html


@pytest.mark.django_db
def test_a_lost_race_gets_a_kind_409_with_fresh_slots(supporter: Any, seeker: Any) -> None:
    slot = _slot(supporter, seeker)
    services.booking_create(actor=make_member(verified=True), supporter=supporter, starts_at=slot.starts_at,
                            length_minutes=50)
    response = _book_page_post(_client(seeker), supporter, slot)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone has just booked this time" in html
    assert slot.key not in html and 'name="start"' in html  # fresh slots, without the taken one
    api = _client(seeker).post("/api/v1/support/bookings", {
        "supporter_id": supporter.pk, "starts_at": slot.starts_at.isoformat(), "length_minutes": 50,
    }, content_type="application/json")
    assert api.status_code == 409
    body = api.json()
    assert "Someone has just booked this time" in body["detail"]
    assert body["slots"] and all(item["starts_at"] != slot.starts_at.isoformat().replace("+00:00", "Z")
                                 for item in body["slots"])


@pytest.mark.django_db
def test_the_api_idempotency_key_returns_the_first_booking(supporter: Any, seeker: Any) -> None:
    client = _client(seeker)
    slot = _slot(supporter, seeker)
    payload = {"supporter_id": supporter.pk, "starts_at": slot.starts_at.isoformat(), "length_minutes": 50,
               "note": "SSN 123-45-6789"}
    first = client.post("/api/v1/support/bookings", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc-123")
    again = client.post("/api/v1/support/bookings", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["note_identifier_warnings"] == ["ssn"]
    assert Booking.objects.count() == 1
    listing = client.get("/api/v1/support/bookings").json()
    assert [item["id"] for item in listing] == [first.json()["id"]]
    assert client.get(f"/api/v1/support/supporters/{supporter.pk}/slots", {"length": 45}).status_code == 400
    bad = client.post("/api/v1/support/bookings", {**payload, "starts_at": "tomorrow"}, content_type="application/json")
    assert bad.status_code == 422


@pytest.mark.django_db
def test_the_api_cancels_and_reschedules(supporter: Any, seeker: Any) -> None:
    client = _client(seeker)
    slots = open_slots(supporter, viewer=seeker)
    created = client.post("/api/v1/support/bookings", {
        "supporter_id": supporter.pk, "starts_at": slots[0].starts_at.isoformat(), "length_minutes": 50,
    }, content_type="application/json").json()
    moved = client.post(f"/api/v1/support/bookings/{created['id']}/reschedule",
                        {"starts_at": slots[4].starts_at.isoformat()}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["rescheduled_from"] == created["id"]
    cancelled = client.post(f"/api/v1/support/bookings/{moved.json()['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/support/bookings/{moved.json()['id']}/cancel").status_code == 409


@pytest.mark.django_db
def test_the_ics_and_the_feed_carry_no_names_notes_or_reasons(supporter: Any, seeker: Any) -> None:
    SupporterProfile.objects.filter(pk=supporter.pk).update(approach="Grief work", bio="Bio secret")
    Profile.objects.filter(user=supporter.user).update(display_name="Supporter Secret", pseudonym="quietoak")
    booking = make_booking(seeker=seeker, supporter=supporter)
    Booking.objects.filter(pk=booking.pk).update(note="my burnout note")
    private = ["Supporter Secret", "quietoak", "Dr Seeker Secret", seeker.profile.pseudonym, "burnout", "Grief",
               "Bio secret", seeker.email, supporter.user.email]
    for viewer in (seeker, supporter.user):
        ics = _client(viewer).get(reverse("support:session_ics", kwargs={"pk": booking.pk}))
        assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
        text = ics.content.decode()
        assert "SUMMARY:Peerhaven session" in text
        assert all(word.lower() not in text.lower() for word in private)
    page = _client(seeker).post(reverse("support:calendar_feed"), {"action": "create"})
    url = re.search(r'value="(http[^"]+sessions\.ics)"', page.content.decode()).group(1)
    token = url.split("/calendar/")[1].split("/")[0]
    assert not CalendarFeedToken.objects.filter(token_hash=token).exists()  # only the hash is stored
    feed = Client().get(url)
    assert feed.status_code == 200
    text = feed.content.decode()
    assert "SUMMARY:Peerhaven session" in text and f"support-booking-{booking.pk}" in text
    assert all(word.lower() not in text.lower() for word in private)
    _client(seeker).post(reverse("support:calendar_feed"), {"action": "revoke"})
    assert Client().get(url).status_code == 404
    assert Client().get(reverse("support:calendar_feed_ics", kwargs={"token": "guess"})).status_code == 404


@pytest.mark.django_db
def test_the_session_page_shows_each_side_their_own_time_and_the_room(supporter: Any, seeker: Any) -> None:
    import zoneinfo

    from django.utils.formats import date_format

    booking = make_booking(seeker=seeker, supporter=supporter)
    Profile.objects.filter(user=supporter.user).update(time_zone="America/New_York")
    supporter.user.refresh_from_db()
    in_tokyo = date_format(timezone.localtime(booking.starts_at, zoneinfo.ZoneInfo("Asia/Tokyo")), "DATETIME_FORMAT")
    in_new_york = date_format(timezone.localtime(booking.starts_at, zoneinfo.ZoneInfo("America/New_York")),
                              "DATETIME_FORMAT")
    assert in_tokyo != in_new_york
    html = _client(seeker).get(reverse("support:session", kwargs={"pk": booking.pk})).content.decode()
    assert LABEL in html
    assert in_tokyo in html
    assert f"/rooms/support.booking/{booking.pk}/" in html
    assert "private words" not in html  # the seeker's own note is shown to the supporter only
    supporter_html = _client(supporter.user).get(reverse("support:session", kwargs={"pk": booking.pk})).content.decode()
    assert in_new_york in supporter_html and LABEL in supporter_html
    assert "private words" in supporter_html


@pytest.mark.django_db
def test_the_supporter_edits_availability_and_settings(supporter: Any) -> None:
    client = _client(supporter.user)
    url = reverse("support:availability")
    assert client.post(url, {"action": "window", "window-weekday": "2", "window-start_time": "18:00",
                             "window-end_time": "20:00"}).status_code == 302
    assert AvailabilityWindow.objects.filter(supporter=supporter, weekday=2, start_time=dt.time(18)).exists()
    assert client.post(url, {"action": "window", "window-weekday": "2", "window-start_time": "20:00",
                             "window-end_time": "18:00"}).status_code == 400
    day = timezone.localdate() + dt.timedelta(days=5)
    assert client.post(url, {"action": "override", "override-date": day.isoformat(), "override-closed": "on"}).status_code == 302
    assert DateOverride.objects.get(supporter=supporter, date=day).closed
    assert client.post(url, {"action": "blackout", "blackout-starts_on": day.isoformat(),
                             "blackout-ends_on": (day + dt.timedelta(days=2)).isoformat()}).status_code == 302
    blackout = Blackout.objects.get(supporter=supporter)
    assert blackout.ends_at - blackout.starts_at == dt.timedelta(days=3)
    assert client.post(url, {"action": "remove", "kind": "blackout", "pk": blackout.pk}).status_code == 302
    assert not Blackout.objects.exists()
    assert client.get(url).status_code == 200
    assert client.post(reverse("support:supporter_pause"), {"paused": "1"}).status_code == 302
    assert SupporterProfile.objects.get(pk=supporter.pk).status == "paused"
    assert client.get(reverse("support:supporter_requests")).status_code == 200


@pytest.mark.django_db
def test_a_member_applies_and_staff_approve(seeker: Any) -> None:
    SupporterAgreement.objects.create(version=1, body="Never take a supported peer on as a client.")
    client = _client(seeker)
    page = client.get(reverse("support:supporter_apply"))
    assert "Never take a supported peer on as a client." in page.content.decode()
    response = client.post(reverse("support:supporter_apply"), {
        "approach": "Listening", "session_lengths": ["50"], "time_zone": "Asia/Tokyo", "max_per_week": 2,
        "max_per_month": 6, "min_notice_minutes": 1440, "buffer_minutes": 15, "horizon_days": 30,
        "languages": "en, ja", "specialties": ["burnout"], "accept_agreement": "on", "agreement_version": 1,
    })
    assert response.status_code == 302
    supporter = SupporterProfile.objects.get(user=seeker)
    assert supporter.languages == ["en", "ja"] and supporter.agreement_version == 1
    staff = make_member(verified=True, roles=("staff",))
    staff_client = sign_in(Client(), staff, passkey=True)
    decide = reverse("support:staff_supporter_decide", kwargs={"pk": supporter.pk})
    staff_client.post(decide, {"action": "approve"})
    assert SupporterProfile.objects.get(pk=supporter.pk).status == "applied"  # training first
    staff_client.post(decide, {"action": "training_done"})
    staff_client.post(decide, {"action": "approve"})
    assert SupporterProfile.objects.get(pk=supporter.pk).status == "approved"
    assert staff_client.get(reverse("support:staff_supporters")).status_code == 200
    assert staff_client.post(reverse("support:staff_agreement"), {"body": "Version two"}).status_code == 302
    assert SupporterAgreement.objects.count() == 2


def _seed_bookings(supporter: Any, count: int) -> None:
    seekers = [make_member(verified=True) for _index in range(3)]
    start = timezone.now() + dt.timedelta(days=2)
    Booking.objects.bulk_create([
        Booking(seeker=seekers[index % 3], supporter=supporter, starts_at=start + dt.timedelta(hours=3 * index),
                ends_at=start + dt.timedelta(hours=3 * index, minutes=50),
                blocked_until=start + dt.timedelta(hours=3 * index, minutes=60), length_minutes=50,
                status="confirmed")
        for index in range(count)
    ])


@pytest.mark.django_db
def test_pages_keep_a_constant_number_of_queries() -> None:
    def measure(count: int) -> dict[str, int]:
        supporter = make_supporter(horizon_days=60)
        _seed_bookings(supporter, count)
        seeker = Booking.objects.filter(supporter=supporter).first().seeker
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = {}
        for name, client, url in (
            ("detail", _client(make_member(verified=True)), reverse("support:supporter_detail", kwargs={"pk": supporter.pk})),
            ("mine", _client(seeker), reverse("support:my_sessions")),
            ("requests", _client(supporter.user), reverse("support:supporter_requests")),
            ("home", _client(seeker), reverse("support:home")),
        ):
            # Warm first: per-process caches (instance settings, zones) left cold or warm by the
            # tests before must not make the two measures differ.
            assert client.get(url).status_code == 200
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[name] = len(queries)
        return counts

    few, many = measure(3), measure(150)
    assert few == many, (few, many)
    assert max(many.values()) <= 30, many
