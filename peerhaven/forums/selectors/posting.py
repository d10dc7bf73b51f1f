"""Reads for forum posting: communities with unread counts, a community's topics, a topic's page
of posts with reactions and read markers, bookmarks, drafts, edit history, reading preferences.

Every list is one query (or a fixed handful) whatever its size: counts and "mine" flags are
subquery annotations, authors come with select_related. Pages assert it in their tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from peerhaven.core.prepared import PreparedRead
from peerhaven.forums.models.posting import (
    Bookmark,
    CollapseMode,
    CollapsePreference,
    Community,
    CommunityFollow,
    Draft,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadingPreference,
    Topic,
    TopicFollow,
    TopicReadState,
)
from peerhaven.forums.policies.posting import is_forum_moderator, visible_communities
from peerhaven.safety.models import Block

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20


def _last_read(user: Any, topic_ref: str = "pk") -> Any:
    return Coalesce(
        Subquery(
            TopicReadState.objects.filter(topic=OuterRef(topic_ref), member=user).values("last_read_number")[:1]
        ),
        Value(0),
    )


def visible_topics(user: Any) -> QuerySet[Topic]:
    """Topics `user` may open (hidden ones only for moderators)."""
    topics = Topic.objects.filter(community__in=visible_communities(user), deleted_at__isnull=True)
    if not is_forum_moderator(user):
        topics = topics.filter(hidden=False)
    return topics


def visible_posts(user: Any) -> QuerySet[Post]:
    """Posts `user` may read, for lists and search (moderation's search builds on it): in a
    community they may read, in a visible topic, neither hidden nor deleted."""
    return Post.objects.filter(
        topic__in=visible_topics(user).filter(hidden=False),
        hidden_at__isnull=True,
        deleted_at__isnull=True,
    )


# --- communities -----------------------------------------------------------------------------
def communities_for_user(user: Any) -> QuerySet[Community]:
    """Readable communities with `topic_count`, `unread_topic_count` and `following`."""
    topics = Topic.objects.filter(community=OuterRef("pk"), deleted_at__isnull=True, hidden=False)
    unread = (
        topics.annotate(read_up_to=_last_read(user))
        .filter(post_count__gt=F("read_up_to"))
        .order_by()
        .values("community")
        .annotate(total=Count("pk"))
        .values("total")
    )
    counted = topics.order_by().values("community").annotate(total=Count("pk")).values("total")
    return visible_communities(user).annotate(
        topic_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        unread_topic_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        following=Exists(CommunityFollow.objects.filter(community=OuterRef("pk"), member=user)),
    )


def community_is_followed(user: Any, community: Community) -> bool:
    return CommunityFollow.objects.filter(community=community, member=user).exists()


def community_topics(user: Any, community: Community) -> QuerySet[Topic]:
    """A community's topics, pinned first then newest activity, each with `read_up_to`,
    `unread_count`, `following` and `opening_posts` (the first post, for its author label)."""
    topics = Topic.objects.filter(community=community, deleted_at__isnull=True)
    if not is_forum_moderator(user):
        topics = topics.filter(hidden=False)
    return (
        topics.annotate(read_up_to=_last_read(user))
        .annotate(
            unread_count=ExpressionWrapper(F("post_count") - F("read_up_to"), output_field=IntegerField()),
            following=Exists(TopicFollow.objects.filter(topic=OuterRef("pk"), member=user)),
        )
        .prefetch_related(
            Prefetch(
                "posts",
                queryset=Post.objects.filter(number=1).select_related("author__profile"),
                to_attr="opening_posts",
            )
        )
        .order_by("-pinned", "-last_post_at", "-pk")
    )


def community_topics_page(user: Any, community: Community, page_number: Any) -> Page:
    # The count query of the paginator is cheap (an index on community) and constant.
    return Paginator(community_topics(user, community), TOPICS_PER_PAGE).get_page(page_number)


# --- topics ----------------------------------------------------------------------------------
def topic_posts(user: Any, topic: Topic) -> QuerySet[Post]:
    """All posts of a topic in order (placeholders for hidden and deleted ones are the
    template's business), authors loaded for their labels. Reactions and bookmarks are added to
    a page of them by `with_reactions`."""
    return (
        Post.objects.filter(topic=topic)
        .select_related("author__profile", "reply_to__author__profile")
        .order_by("number")
    )


# What the topic page shows of a post: the cached HTML, not the Markdown source; authors only
# for their labels (fewer columns to compile, fetch and build into objects). The API reads the
# whole row (it returns the source).
_LABEL_FIELDS = ("identity_mode", "author__erased_at", "author__profile__pseudonym", "author__profile__display_name")
_PAGE_POST_FIELDS = (
    "topic", "author", "number", "rendered_html", "content_note", "reply_to",
    "created_at", "edited_at", "hidden_at", "deleted_at", *_LABEL_FIELDS,
    *(f"reply_to__{name}" for name in ("topic", "author", *_LABEL_FIELDS)),
)


def with_reactions(user: Any, posts: list[Post]) -> list[Post]:
    """Sets `count_<kind>`, `mine_<kind>` and `bookmarked` on each post: one statement for the
    whole list, whatever its length (the reactions' plain rows and the reader's bookmarks as one
    UNION ALL; cheaper to build than per-row subqueries or an aggregate)."""
    ids = [post.pk for post in posts]
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    bookmarked: set[int] = set()
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT post_id, kind, member_id FROM {Reaction._meta.db_table} WHERE post_id IN ({marks}) "  # noqa: S608
            f"UNION ALL SELECT post_id, %s, member_id FROM {Bookmark._meta.db_table} "
            f"WHERE member_id = %s AND post_id IN ({marks})"
        )  # fixed table names; every value is a bound parameter
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, _BOOKMARK_ROW, user.pk, *ids])
            for post_id, kind, member_id in cursor.fetchall():
                if kind == _BOOKMARK_ROW:
                    bookmarked.add(post_id)
                    continue
                total, mine = counts.get((post_id, kind), (0, 0))
                counts[(post_id, kind)] = (total + 1, mine + (member_id == user.pk))
    for post in posts:
        for kind in ReactionKind.values:
            total, mine = counts.get((post.pk, kind), (0, 0))
            setattr(post, f"count_{kind}", total)
            setattr(post, f"mine_{kind}", bool(mine))
        post.bookmarked = post.pk in bookmarked  # type: ignore[attr-defined]
    return posts


# Not a reaction kind (those are short words): marks the bookmark rows of the UNION above.
_BOOKMARK_ROW = "~bookmark"


@dataclass
class ReadingSettings:
    mode: str = CollapseMode.ALL
    notes: set[str] = field(default_factory=set)

    def collapses(self, content_note: str) -> bool:
        if not content_note:
            return False
        if self.mode == CollapseMode.ALL:
            return True
        if self.mode == CollapseMode.CHOSEN:
            return content_note in self.notes
        return False


def reading_settings(user: Any) -> ReadingSettings:
    preference = ReadingPreference.objects.filter(member=user).first()
    if preference is None:
        return ReadingSettings()
    notes: set[str] = set()
    if preference.collapse_mode == CollapseMode.CHOSEN:
        notes = set(CollapsePreference.objects.filter(member=user).values_list("content_note", flat=True))
    return ReadingSettings(mode=preference.collapse_mode, notes=notes)


def chosen_collapse_notes(user: Any) -> list[str]:
    return list(CollapsePreference.objects.filter(member=user).values_list("content_note", flat=True))


def topic_read_up_to(user: Any, topic: Topic) -> int:
    state = TopicReadState.objects.filter(topic=topic, member=user).values_list("last_read_number", flat=True).first()
    return int(state or 0)


def topic_is_followed(user: Any, topic: Topic) -> bool:
    return TopicFollow.objects.filter(topic=topic, member=user).exists()


@dataclass
class TopicPage:
    page: Page
    posts: list[Post]
    read_up_to: int
    blocked_ids: set[int]
    settings: ReadingSettings
    following: bool
    # The reader's reply draft in this topic, if any (its id: the view loads it only then).
    draft_id: int | None = None


def default_page_number(read_up_to: int, post_count: int) -> int:
    """Open a topic at the first unread post's page."""
    if read_up_to <= 0 or read_up_to >= post_count:
        return 1 if read_up_to <= 0 else (max(post_count, 1) - 1) // POSTS_PER_PAGE + 1
    return read_up_to // POSTS_PER_PAGE + 1


@dataclass
class _ReaderState:
    read_up_to: int = 0
    following: bool = False
    collapse_mode: str = ""
    blocked_ids: set[int] = field(default_factory=set)
    draft_id: int | None = None


def _reader_state(user: Any, topic: Topic) -> _ReaderState:
    """Everything about the reader that the topic page needs, in one statement (a UNION ALL of
    small indexed look-ups, each row tagged with what it is): how far they read, whether they
    follow, their collapse mode, the members blocked either way, their reply draft's id."""
    sql = (
        f"SELECT 'read', last_read_number, '' FROM {TopicReadState._meta.db_table} WHERE topic_id = %s AND member_id = %s "  # noqa: S608
        f"UNION ALL SELECT 'follow', 0, '' FROM {TopicFollow._meta.db_table} WHERE topic_id = %s AND member_id = %s "
        f"UNION ALL SELECT 'mode', 0, collapse_mode FROM {ReadingPreference._meta.db_table} WHERE member_id = %s "
        f"UNION ALL SELECT 'block', blocked_id, '' FROM {Block._meta.db_table} WHERE blocker_id = %s "
        f"UNION ALL SELECT 'block', blocker_id, '' FROM {Block._meta.db_table} WHERE blocked_id = %s "
        f"UNION ALL SELECT 'draft', id, '' FROM {Draft._meta.db_table} "
        "WHERE member_id = %s AND community_id = %s AND topic_id = %s"
    )  # fixed table names; every value is a bound parameter
    pk = user.pk
    state = _ReaderState()
    with connection.cursor() as cursor:
        cursor.execute(sql, [topic.pk, pk, topic.pk, pk, pk, pk, pk, pk, topic.community_id, topic.pk])
        for kind, number, text in cursor.fetchall():
            if kind == "read":
                state.read_up_to = int(number or 0)
            elif kind == "follow":
                state.following = True
            elif kind == "mode":
                state.collapse_mode = str(text)
            elif kind == "block":
                state.blocked_ids.add(int(number))
            elif kind == "draft":
                state.draft_id = int(number)
    return state


def _topic_paginator(topic: Topic) -> Paginator:
    """Pages by post number, as permalinks count them (`post_page_number`): page n holds numbers
    20(n-1)+1 … 20n. The count is the topic's denormalised post count: no COUNT query."""
    paginator = Paginator(Post.objects.none(), POSTS_PER_PAGE)
    paginator.count = topic.post_count  # a cached_property, set ahead
    return paginator


# The page's posts: the same queryset as topic_posts() with the page's fields, compiled once
# per process (core/prepared.py): building this four-table select took longer than running it.
_PAGE_POSTS = PreparedRead(
    lambda topic_id, after, up_to: Post.objects.filter(topic_id=topic_id, number__gt=after, number__lte=up_to)
    .select_related("author__profile", "reply_to__author__profile").order_by("number").only(*_PAGE_POST_FIELDS),
    arity=3,
)


def topic_page(user: Any, topic: Topic, page_number: Any) -> TopicPage:
    state = _reader_state(user, topic)
    if page_number in (None, ""):
        page_number = default_page_number(state.read_up_to, topic.post_count)
    paginator = _topic_paginator(topic)
    try:
        number = paginator.validate_number(page_number)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    first = (number - 1) * POSTS_PER_PAGE
    posts = cast(list[Post], _PAGE_POSTS.instances(int(topic.pk), first, first + POSTS_PER_PAGE))
    settings = ReadingSettings()
    if state.collapse_mode:
        notes: set[str] = set()
        if state.collapse_mode == CollapseMode.CHOSEN:
            notes = set(CollapsePreference.objects.filter(member=user).values_list("content_note", flat=True))
        settings = ReadingSettings(mode=state.collapse_mode, notes=notes)
    return TopicPage(
        page=Page(posts, number, paginator),
        posts=with_reactions(user, posts),
        read_up_to=state.read_up_to,
        blocked_ids=state.blocked_ids,
        settings=settings,
        following=state.following,
        draft_id=state.draft_id,
    )


def post_page_number(post: Post) -> int:
    return (post.number - 1) // POSTS_PER_PAGE + 1


def post_revisions(post: Post) -> QuerySet[PostRevision]:
    return PostRevision.objects.filter(post=post).order_by("-replaced_at", "-pk")


# --- the member's own lists ------------------------------------------------------------------
def bookmarks_for(user: Any) -> QuerySet[Bookmark]:
    return (
        Bookmark.objects.filter(member=user, post__in=visible_posts(user))
        .select_related("post__topic__community", "post__author__profile")
        .order_by("-created_at", "-pk")
    )


def drafts_for(user: Any) -> QuerySet[Draft]:
    return (
        Draft.objects.filter(member=user, community__in=visible_communities(user))
        .filter(Q(topic__isnull=True) | Q(topic__deleted_at__isnull=True))
        .select_related("community", "topic")
        .order_by("-updated_at", "-pk")
    )


def draft_for(user: Any, *, community: Community, topic: Topic | None) -> Draft | None:
    return Draft.objects.filter(member=user, community=community, topic=topic).first()
