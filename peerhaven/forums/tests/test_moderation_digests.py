"""Digests: the member's choice, once per member per period, counts per community and never
post text, titles only when staff allow them, sent through the notifications e-mail model
(allow-listed context, one-click unsubscribe that the job respects)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import Role
from peerhaven.forums.models.moderation import DigestDelivery, DigestFrequency
from peerhaven.forums.models.posting import Post, PostIdentity
from peerhaven.forums.selectors.moderation import digest_period, member_zone
from peerhaven.forums.services.moderation import (
    DIGEST_KIND,
    digest_preference_set,
    digests_send,
    forum_settings_update,
)
from peerhaven.forums.tasks import SCHEDULE
from peerhaven.forums.tests import moderation_helpers as h
from peerhaven.notifications.services import email_unsubscribe

pytestmark = pytest.mark.django_db

TOMORROW = timezone.now() + dt.timedelta(days=1)


@pytest.fixture
def world(member_factory):
    reader = member_factory(verified=True)
    author = member_factory(verified=True)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    boundaries = h.community(name="Boundaries")
    grief = h.community(name="Grief")
    topic = h.topic(moderator, boundaries, title="Saying no to extra clients", body="secret body text one")
    h.reply(author, topic, "secret body text two", identity_mode=PostIdentity.ANONYMOUS)
    h.reply(author, topic, "secret body text three")
    h.topic(moderator, grief, title="When a client dies", body="secret body text four")
    h.reply(reader, topic, "my own post is not news to me")
    return {"reader": reader, "author": author, "moderator": moderator}


def test_it_is_the_members_choice(world, client_for) -> None:
    client = client_for(world["reader"])
    assert client.get(reverse("forums:digest_preferences")).status_code == 200
    assert client.post(reverse("forums:digest_preferences"), {"frequency": "weekly"}).status_code == 302
    assert world["reader"].forum_digest.frequency == DigestFrequency.WEEKLY
    assert client.post(reverse("forums:digest_preferences"), {"frequency": "hourly"}).status_code == 400


def test_it_counts_what_is_new_where_and_never_quotes(world) -> None:
    digest_preference_set(actor=world["reader"], frequency=DigestFrequency.DAILY)
    assert digests_send(now=TOMORROW) == 1
    message = mail.outbox[-1]
    assert message.to == [world["reader"].email]
    text = message.body + "".join(str(part[0]) for part in message.alternatives)
    assert "3 new posts in Boundaries" in message.body
    assert "1 new post in Grief" in message.body
    assert "secret body" not in text
    assert "Saying no to extra clients" not in text  # titles are off by default
    assert world["author"].profile.pseudonym not in text
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_staff_may_allow_titles(world, member_factory) -> None:
    staff = member_factory(verified=True, roles=(Role.STAFF,))
    forum_settings_update(actor=staff, digest_titles=True)
    digest_preference_set(actor=world["reader"], frequency=DigestFrequency.DAILY)
    digests_send(now=TOMORROW)
    assert "Saying no to extra clients" in mail.outbox[-1].body
    assert "secret body" not in mail.outbox[-1].body


def test_it_sends_once_per_period(world) -> None:
    digest_preference_set(actor=world["reader"], frequency=DigestFrequency.DAILY)
    assert digests_send(now=TOMORROW) == 1
    assert digests_send(now=TOMORROW + dt.timedelta(hours=3)) == 0
    assert DigestDelivery.objects.filter(user=world["reader"]).count() == 1
    assert len(mail.outbox) == 1


def test_weekly_digests_cover_the_last_iso_week(world) -> None:
    monday = dt.datetime(2026, 11, 30, 6, tzinfo=dt.UTC)
    period = digest_period("weekly", monday)
    assert period.key == "weekly:2026-W48"
    assert period.start == dt.datetime(2026, 11, 23, tzinfo=dt.UTC) and period.end == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    assert digest_period("weekly", monday + dt.timedelta(days=3)).key == "weekly:2026-W48"
    assert digest_period("daily", monday).key == "daily:2026-11-29"
    digest_preference_set(actor=world["reader"], frequency=DigestFrequency.WEEKLY)
    Post.objects.update(created_at=dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC))
    assert digests_send(now=monday) == 1
    assert digests_send(now=monday + dt.timedelta(days=2)) == 0


def test_nothing_new_means_no_mail_and_off_means_none(world, member_factory) -> None:
    quiet = member_factory(verified=True)
    digest_preference_set(actor=quiet, frequency=DigestFrequency.DAILY)
    assert digests_send(now=TOMORROW + dt.timedelta(days=5)) == 0
    assert digests_send(now=TOMORROW) == 1  # the quiet member gets the day that had posts
    digest_preference_set(actor=quiet, frequency=DigestFrequency.OFF)
    assert digests_send(now=TOMORROW + dt.timedelta(days=1)) == 0


def test_it_respects_the_one_click_unsubscribe(world) -> None:
    digest_preference_set(actor=world["reader"], frequency=DigestFrequency.DAILY)
    email_unsubscribe(actor=world["reader"], kind=DIGEST_KIND)
    assert digests_send(now=TOMORROW) == 0


def test_it_only_counts_what_the_member_may_read(world, member_factory) -> None:
    closed = h.community(name="Moderators lounge", audience="role", audience_role=Role.MODERATOR)
    h.topic(world["moderator"], closed, body="staff talk")
    digest_preference_set(actor=world["reader"], frequency=DigestFrequency.DAILY)
    digests_send(now=TOMORROW)
    assert "Moderators lounge" not in mail.outbox[-1].body


def test_the_daily_job_is_scheduled() -> None:
    assert ("forums.send_digests", "daily") in [(name, every) for name, every, _task in SCHEDULE]


def test_periods_follow_the_members_time_zone(world, member_factory) -> None:
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")  # UTC+13 in November
    now = dt.datetime(2026, 11, 28, 6, tzinfo=dt.UTC)  # 19:00 on the 28th in Auckland
    period = digest_period("daily", now, auckland)
    assert period.key == "daily:2026-11-27"
    assert period.start == dt.datetime(2026, 11, 27, tzinfo=auckland)
    assert period.end == dt.datetime(2026, 11, 28, tzinfo=auckland)
    week = digest_period("weekly", dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC), auckland)  # Monday 01:00 there
    assert week.key == "weekly:2026-W48" and week.start == dt.datetime(2026, 11, 23, tzinfo=auckland)
    # The same moment: a UTC member's yesterday is the 27th in UTC, an Auckland member's is the
    # 27th of Auckland; a post written at 20:00 UTC on the 26th (09:00 on the 27th in Auckland)
    # is news for the second only.
    Post.objects.update(created_at=dt.datetime(2026, 11, 26, 20, tzinfo=dt.UTC))
    in_utc = world["reader"]
    in_auckland = member_factory(verified=True)
    in_auckland.profile.time_zone = "Pacific/Auckland"
    in_auckland.profile.save(update_fields=["time_zone"])
    for member in (in_utc, in_auckland):
        digest_preference_set(actor=member, frequency=DigestFrequency.DAILY)
    assert digests_send(now=now) == 1
    assert [message.to for message in mail.outbox] == [[in_auckland.email]]
    assert DigestDelivery.objects.get(user=in_auckland).period == "daily:2026-11-27"
    assert DigestDelivery.objects.get(user=in_utc).post_count == 0
    # An unknown zone name falls back to UTC instead of failing the job.
    in_auckland.profile.time_zone = "Mars/Olympus"
    assert member_zone(in_auckland) == dt.UTC
