"""forums selectors: the forum moderation queue, watched words, relay threads, reveal requests,
a member's moderation notices, digests (periods and counts), settings and the resource library.
Each returns what its page needs in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peerhaven.forums.models.moderation import (
    ForumSettings,
    ModerationWarning,
    RelayDirection,
    RelayMessage,
    Resource,
    ResourceStatus,
    RevealRequest,
    RevealStatus,
    WatchedWord,
)
from peerhaven.forums.models.posting import Post, Topic
from peerhaven.forums.policies.posting import visible_communities
from peerhaven.safety.models import Report, ReportStatus


# --- the forum moderation queue -----------------------------------------------------------------
@dataclass
class QueueItem:
    post: Post
    report_count: int
    reasons: list[str]
    first_reported_at: dt.datetime


def forum_queue(*, limit: int = 50) -> list[QueueItem]:
    """Posts with open reports (members' flags and watched-word matches), oldest report first.
    Three queries whatever the length."""
    content_type = ContentType.objects.get_for_model(Post)
    reports = list(
        Report.objects.filter(content_type=content_type, status=ReportStatus.OPEN)
        .order_by("created_at", "id")
        .values_list("object_id", "reason", "created_at")
    )
    grouped: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for object_id, reason, created_at in reports:
        if object_id is None:
            continue
        grouped[int(object_id)].append((reason, created_at))
    post_ids = list(grouped)[:limit]
    posts = {
        post.pk: post
        for post in Post.objects.filter(pk__in=post_ids, deleted_at__isnull=True).select_related(
            "topic__community", "author__profile"
        )
    }
    reason_labels = dict(Report._meta.get_field("reason").choices or [])
    items = []
    for post_id in post_ids:
        post = posts.get(post_id)
        if post is None:
            continue
        entries = grouped[post_id]
        items.append(QueueItem(
            post=post, report_count=len(entries),
            reasons=sorted({str(reason_labels.get(reason, reason)) for reason, _at in entries}),
            first_reported_at=entries[0][1],
        ))
    return items


def open_reports_for_post(post: Post) -> QuerySet[Report]:
    content_type = ContentType.objects.get_for_model(Post)
    return Report.objects.filter(content_type=content_type, object_id=post.pk, status=ReportStatus.OPEN)


def watched_words() -> QuerySet[WatchedWord]:
    return WatchedWord.objects.order_by("normalised")


def moveable_communities(user: Any) -> QuerySet[Any]:
    return visible_communities(user).order_by("position", "name")


# --- relay, reveal, notices ---------------------------------------------------------------------------
def relay_thread(post: Post) -> QuerySet[RelayMessage]:
    return RelayMessage.objects.filter(post=post).select_related("sender__profile").order_by("created_at", "id")


def relay_threads_for_author(user: Any) -> QuerySet[Post]:
    """The member's anonymous posts that moderators wrote about, newest message first."""
    unread = RelayMessage.objects.filter(
        post=OuterRef("pk"), direction=RelayDirection.TO_AUTHOR, read_at__isnull=True
    )
    return (
        Post.objects.filter(author=user, relay_messages__isnull=False)
        .select_related("topic__community")
        .annotate(has_unread=Exists(unread))
        .distinct()
        .order_by("-pk")
    )


def warnings_for(user: Any) -> QuerySet[ModerationWarning]:
    return ModerationWarning.objects.filter(member=user).select_related("post__topic").order_by("-created_at", "-id")


def reveals_about(user: Any) -> QuerySet[RevealRequest]:
    """Approved reveals of the member's anonymous posts: they are told."""
    return RevealRequest.objects.filter(post__author=user, status=RevealStatus.APPROVED).select_related("post__topic")


def reveal_requests() -> QuerySet[RevealRequest]:
    return RevealRequest.objects.select_related(
        "post__topic__community", "requested_by__profile", "decided_by__profile"
    ).order_by("-created_at", "-id")


# --- digests -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DigestPeriod:
    key: str
    start: dt.datetime
    end: dt.datetime
    label: Any


@dataclass(frozen=True)
class DigestLine:
    community_name: str
    count: int
    titles: tuple[str, ...] = ()


@dataclass
class DigestSummary:
    lines: list[DigestLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


def member_zone(user: Any) -> dt.tzinfo:
    """The member's time zone (their profile's), UTC when unset or unknown."""
    name = getattr(getattr(user, "profile", None), "time_zone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def digest_period(frequency: str, now: dt.datetime, zone: dt.tzinfo = dt.UTC) -> DigestPeriod:
    """The last complete period before `now` in the member's time zone `zone`: yesterday, or
    the last ISO week (Monday to Monday), each from local midnight to local midnight. The key
    names the local day or week, so a member gets one digest per period of their own calendar."""
    today = now.astimezone(zone).date()

    def midnight(day: dt.date) -> dt.datetime:
        # Local midnight as an aware time (zoneinfo resolves a DST gap or fold).
        return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)

    if frequency == "weekly":
        this_monday = today - dt.timedelta(days=today.weekday())
        start_day = this_monday - dt.timedelta(days=7)
        year, week, _day = start_day.isocalendar()
        return DigestPeriod(
            key=f"weekly:{year}-W{week:02d}",
            start=midnight(start_day),
            end=midnight(this_monday),
            label=_("weekly"),
        )
    start_day = today - dt.timedelta(days=1)
    return DigestPeriod(
        key=f"daily:{start_day.isoformat()}",
        start=midnight(start_day),
        end=midnight(today),
        label=_("daily"),
    )


MAX_DIGEST_TITLES = 5


def digest_summary(user: Any, *, since: dt.datetime, until: dt.datetime, with_titles: bool) -> DigestSummary:
    """How many posts are new in each community `user` may read (not their own, none hidden or
    deleted): one query, two with titles."""
    posts = Post.objects.filter(
        created_at__gte=since, created_at__lt=until, hidden_at__isnull=True, deleted_at__isnull=True,
        topic__hidden=False, topic__deleted_at__isnull=True,
        topic__community__in=visible_communities(user),
    ).exclude(author=user)
    counts = list(
        posts.values("topic__community_id", "topic__community__name", "topic__community__position")
        .annotate(n=Count("pk"))
        .order_by("topic__community__position", "topic__community__name")
    )
    titles: dict[int, list[str]] = defaultdict(list)
    if with_titles and counts:
        topics = (
            Topic.objects.filter(pk__in=posts.values("topic_id")).order_by("-last_post_at")
            .values_list("community_id", "title")
        )
        for community_id, title in topics:
            if len(titles[community_id]) < MAX_DIGEST_TITLES:
                titles[community_id].append(title)
    return DigestSummary(lines=[
        DigestLine(community_name=row["topic__community__name"], count=row["n"],
                   titles=tuple(titles.get(row["topic__community_id"], [])))
        for row in counts
    ])


def forum_settings() -> ForumSettings:
    row = ForumSettings.objects.filter(pk=ForumSettings.SINGLETON_PK).first()
    return row if row is not None else ForumSettings(pk=ForumSettings.SINGLETON_PK)


# --- resource library ----------------------------------------------------------------------------
def library(*, query: str = "", tag: str = "") -> QuerySet[Resource]:
    resources = Resource.objects.filter(status=ResourceStatus.PUBLISHED).prefetch_related("taggings")
    if tag:
        resources = resources.filter(taggings__tag=tag)
    words = [word for word in query.split() if word][:6]
    for word in words:
        resources = resources.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return resources.order_by("-published_at", "-id")


def resource_suggestions() -> QuerySet[Resource]:
    return (
        Resource.objects.filter(status=ResourceStatus.SUGGESTED)
        .select_related("suggested_by__profile")
        .prefetch_related("taggings")
        .order_by("created_at", "id")
    )


def resources_suggested_by(user: Any) -> QuerySet[Resource]:
    return Resource.objects.filter(suggested_by=user).prefetch_related("taggings").order_by("-created_at", "-id")
