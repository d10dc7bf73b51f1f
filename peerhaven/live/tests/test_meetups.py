"""Meetup pages, services and the API: scheduling, the list's query count, seats, the room
page, chat history, and chat retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.core.programmes import PROGRAMMES
from peerhaven.core.scheduler import collect_jobs
from peerhaven.live.models import ChatMessage, LiveSettings, Meetup, MeetupRegistration, Reaction
from peerhaven.live.services import (
    chat_message_post,
    chat_purge_expired,
    live_settings_update,
    meetup_create,
    meetup_end,
    meetup_register,
    reaction_add,
)

pytestmark = pytest.mark.django_db


def _meetup(host: User | None = None, *, capacity: int = 10, starts_in: dt.timedelta = dt.timedelta(minutes=5)) -> Meetup:
    host = host or make_member(verified=True, roles=("facilitator",))
    start = timezone.now() + starts_in
    return meetup_create(actor=host, title="Evening circle", description="Bring tea.", starts_at=start,
                         ends_at=start + dt.timedelta(hours=1), capacity=capacity)


def test_it_lets_a_facilitator_schedule_a_meetup_without_a_passkey() -> None:
    facilitator = make_member(verified=True, roles=("facilitator",))
    start = (timezone.localtime() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    response = sign_in(Client(), facilitator).post(reverse("live:meetup_create"), {
        "title": "Grief after a client's death", "description": "", "capacity": 12,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    meetup = Meetup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("live:meetup_detail", kwargs={"pk": meetup.pk})
    assert meetup.host == facilitator and meetup.starts_at == start
    assert MeetupRegistration.objects.filter(meetup=meetup, member=facilitator).exists()
    assert AuditEntry.objects.filter(action="meetup.create", actor_id=facilitator.pk).exists()


def test_it_refuses_a_meetup_that_ends_before_it_starts() -> None:
    facilitator = make_member(verified=True, roles=("facilitator",))
    start = timezone.localtime() + dt.timedelta(days=2)
    response = sign_in(Client(), facilitator).post(reverse("live:meetup_create"), {
        "title": "Backwards", "capacity": 12, "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 200 and not Meetup.objects.exists()


def test_it_lists_meetups_in_a_constant_number_of_queries() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    _meetup()
    client.get(reverse("live:meetup_list"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("live:meetup_list")).status_code == 200
    for _extra in range(5):
        meetup = _meetup()
        meetup_register(actor=make_member(verified=True), meetup=meetup)
        meetup_register(actor=member, meetup=meetup)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("live:meetup_list"))
    assert response.content.decode().count("Evening circle") == 6
    assert len(many) == len(few)


def test_it_answers_409_kindly_when_a_meetup_is_full() -> None:
    meetup = _meetup(capacity=2)
    for _seat in range(2):
        meetup_register(actor=make_member(verified=True), meetup=meetup)
    late = make_member(verified=True)
    response = sign_in(Client(), late).post(reverse("live:meetup_register", kwargs={"pk": meetup.pk}))
    assert response.status_code == 409
    assert "This meetup is full" in response.content.decode()
    assert not MeetupRegistration.objects.filter(meetup=meetup, member=late).exists()
    api = sign_in(Client(), late).post(f"/api/v1/meetups/{meetup.pk}/registration")
    assert api.status_code == 409


def test_it_does_not_count_the_host_or_removed_members_as_seats() -> None:
    meetup = _meetup(capacity=2)
    first = make_member(verified=True)
    meetup_register(actor=first, meetup=meetup)
    MeetupRegistration.objects.filter(meetup=meetup, member=first).update(removed_at=timezone.now())
    for _seat in range(2):
        meetup_register(actor=make_member(verified=True), meetup=meetup)
    assert MeetupRegistration.objects.filter(meetup=meetup, removed_at__isnull=True).count() == 3


def test_it_registers_once_and_offers_the_room_when_it_opens() -> None:
    meetup = _meetup()
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    assert client.post(reverse("live:meetup_register", kwargs={"pk": meetup.pk})).status_code == 302
    assert client.post(reverse("live:meetup_register", kwargs={"pk": meetup.pk})).status_code == 302
    assert MeetupRegistration.objects.filter(meetup=meetup, member=member).count() == 1
    page = client.get(reverse("live:meetup_detail", kwargs={"pk": meetup.pk})).content.decode()
    assert reverse("live:meetup_room", kwargs={"pk": meetup.pk}) in page


def test_it_serves_an_accessible_room_page_without_inline_script() -> None:
    meetup = _meetup()
    member = make_member(verified=True)
    meetup_register(actor=member, meetup=meetup)
    page = sign_in(Client(), member).get(reverse("live:meetup_room", kwargs={"pk": meetup.pk})).content.decode()
    assert 'aria-live="polite"' in page and '<label for="chat-body">' in page
    assert "live/room.js" in page and "<script>" not in page and 'style="' not in page
    assert 'data-action="room.crisis"' not in page  # host controls are for the host
    host_page = sign_in(Client(), meetup.host).get(reverse("live:meetup_room", kwargs={"pk": meetup.pk})).content.decode()
    assert 'data-action="room.crisis"' in host_page


def test_it_keeps_the_room_closed_outside_its_window() -> None:
    meetup = _meetup(starts_in=dt.timedelta(hours=3))
    member = make_member(verified=True)
    meetup_register(actor=member, meetup=meetup)
    assert sign_in(Client(), member).get(reverse("live:meetup_room", kwargs={"pk": meetup.pk})).status_code == 404


def test_it_gives_chat_history_to_participants_only_without_blocked_authors() -> None:
    meetup = _meetup()
    author, reader = make_member(verified=True), make_member(verified=True)
    for member in (author, reader):
        meetup_register(actor=member, meetup=meetup)
    message, _warnings = chat_message_post(actor=author, meetup=meetup, body="Thank you all", content_note="")
    reaction_add(actor=reader, message=message, kind="with_you")
    history = sign_in(Client(), reader).get(f"/api/v1/meetups/{meetup.pk}/messages").json()
    assert history == [{
        "id": message.pk, "author": f"peer{author.pk}", "author_is_host": False, "body": "Thank you all",
        "content_note": "", "created_at": history[0]["created_at"], "reactions": {"with_you": 1}, "mine": False,
    }]
    assert author.email not in str(history)
    outsider = make_member(verified=True)
    assert sign_in(Client(), outsider).get(f"/api/v1/meetups/{meetup.pk}/messages").status_code == 404


def test_it_keeps_chat_encrypted_at_rest() -> None:
    meetup = _meetup()
    chat_message_post(actor=meetup.host, meetup=meetup, body="A hard week at the clinic")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM live_chatmessage")
        stored = cursor.fetchone()[0]
    assert "clinic" not in stored


def test_it_deletes_chat_after_the_retention_period() -> None:
    old, recent = _meetup(), _meetup()
    for meetup in (old, recent):
        message, _warnings = chat_message_post(actor=meetup.host, meetup=meetup, body="See you next week")
        reaction_add(actor=meetup.host, message=message, kind="thank_you")
    meetup_end(actor=old.host, meetup=old)
    meetup_end(actor=recent.host, meetup=recent)
    Meetup.objects.filter(pk=old.pk).update(ended_at=timezone.now() - dt.timedelta(days=31))
    assert chat_purge_expired() == 1
    assert list(ChatMessage.objects.values_list("meetup_id", flat=True)) == [recent.pk]
    assert Reaction.objects.count() == 1
    assert AuditEntry.objects.filter(action="retention.chat_messages", data__count=1).exists()


def test_it_follows_the_staff_retention_setting() -> None:
    staff = make_member(verified=True, roles=("staff",))
    meetup = _meetup()
    chat_message_post(actor=meetup.host, meetup=meetup, body="Goodnight")
    Meetup.objects.filter(pk=meetup.pk).update(ended_at=timezone.now() - dt.timedelta(days=10))
    assert chat_purge_expired() == 0
    response = sign_in(Client(), staff, passkey=True).post(reverse("live:settings"), {"chat_retention_days": 7})
    assert response.status_code == 302 and LiveSettings.objects.get().chat_retention_days == 7
    assert chat_purge_expired() == 1
    live_settings_update(actor=staff, chat_retention_days=30)
    assert LiveSettings.objects.count() == 1


def test_it_schedules_the_daily_chat_purge() -> None:
    assert any(job.name == "live.purge_expired_chat" and job.every == "daily" for job in collect_jobs())


def test_it_opens_the_community_programme_at_the_forums_which_link_the_meetups() -> None:
    community = next(programme for programme in PROGRAMMES if programme.slug == "community")
    assert community.entry_url_name == "forums:communities"


def test_it_exports_and_erases_a_members_chat() -> None:
    from peerhaven.live.privacy import erase_member, export_member

    meetup = _meetup()
    member = make_member(verified=True)
    meetup_register(actor=member, meetup=meetup)
    chat_message_post(actor=member, meetup=meetup, body="My own words")
    chat_message_post(actor=meetup.host, meetup=meetup, body="The host's words")
    exported = export_member(member)
    assert [message["body"] for message in exported["chat_messages"]] == ["My own words"]
    assert exported["meetup_registrations"][0]["meetup"] == "Evening circle"
    erase_member(member, keep_posts_as_former_member=False)
    assert list(ChatMessage.objects.values_list("author_id", flat=True)) == [meetup.host.pk]
    assert not MeetupRegistration.objects.filter(member=member).exists()
