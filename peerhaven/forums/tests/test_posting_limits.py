"""Posting under pressure: request bursts are rate limited (429 with a kind page), the hourly
limit holds, and simultaneous replies get distinct, gapless numbers (PostgreSQL, real threads)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse

from conftest import need_postgres
from peerhaven.accounts.tests.factories import make_member
from peerhaven.forums.models.posting import Post, Topic
from peerhaven.forums.services.posting import (
    POSTS_PER_HOUR,
    PostingLimitReached,
    check_posting_limits,
    post_create,
)
from peerhaven.forums.tests.grid_posting import make_topic, seasoned


@pytest.mark.django_db
def test_it_answers_429_to_a_burst_of_replies(member_factory, client_for, monkeypatch) -> None:
    monkeypatch.setattr("django_ratelimit.core._get_window", lambda value, period: 1_700_000_000)
    member = seasoned(member_factory(verified=True))
    topic = make_topic(seasoned(member_factory(verified=True)))
    client = client_for(member)
    url = reverse("forums:topic_reply", kwargs={"pk": topic.pk})
    statuses = [client.post(url, {"body": f"reply {n}", "identity_mode": "pseudonym"}).status_code for n in range(13)]
    assert statuses[:12] == [302] * 12
    assert statuses[12] == 429
    assert Post.objects.filter(topic=topic).count() == 13


@pytest.mark.django_db
def test_it_holds_the_hourly_limit_for_everyone_but_moderators(member_factory) -> None:
    member = seasoned(member_factory(verified=True))
    topic = make_topic(seasoned(member_factory(verified=True)))
    Post.objects.bulk_create([
        Post(topic=topic, author=member, number=100 + n, body="x", rendered_html="<p>x</p>") for n in range(POSTS_PER_HOUR)
    ])
    with pytest.raises(PostingLimitReached):
        check_posting_limits(member)
    # An hour later the budget is back.
    check_posting_limits(member, now=Post.objects.latest("created_at").created_at + dt.timedelta(hours=1, seconds=1))
    moderator = seasoned(member_factory(verified=True, roles=("moderator",)))
    Post.objects.filter(author=member).update(author=moderator)
    check_posting_limits(moderator)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_numbers_simultaneous_replies_without_gaps_or_duplicates() -> None:
    if connection.vendor != "postgresql":
        need_postgres("SQLite serialises writers: no race to test")
    author = seasoned(make_member(verified=True))
    topic = make_topic(author)
    repliers = [seasoned(make_member(verified=True)) for _ in range(8)]
    barrier = threading.Barrier(len(repliers))
    errors: list[BaseException] = []

    def reply(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            post_create(actor=repliers[index], topic=Topic.objects.get(pk=topic.pk), body=f"reply {index}")
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(index,)) for index in range(len(repliers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Post.objects.filter(topic=topic).values_list("number", flat=True))
    assert numbers == list(range(1, len(repliers) + 2))
    assert Topic.objects.get(pk=topic.pk).post_count == len(repliers) + 1


@pytest.mark.django_db
def test_it_purges_drafts_left_untouched_for_ninety_days(member_factory) -> None:
    from django.utils import timezone

    from peerhaven.forums.models.posting import Draft
    from peerhaven.forums.services.posting import draft_save, drafts_purge_stale
    from peerhaven.forums.tasks import SCHEDULE
    from peerhaven.forums.tests.grid_posting import make_community

    member = member_factory(verified=True)
    community = make_community()
    old = draft_save(actor=member, community=community, topic=None, body="old thought")
    fresh = draft_save(actor=member, community=make_community(), topic=None, body="new thought")
    assert old is not None and fresh is not None
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=91))
    assert drafts_purge_stale() == 1
    from peerhaven.core.models import AuditEntry

    assert AuditEntry.objects.get(action="retention.forum_drafts").data == {"count": 1}
    assert list(Draft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "forums.purge_stale_drafts" in {name for name, _period, _task in SCHEDULE}
