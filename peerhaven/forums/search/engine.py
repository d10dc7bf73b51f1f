"""Searching forum posts: over what the searcher may see only (communities they can read, posts
and topics neither hidden nor deleted, authors they have not blocked), with filters, two
orders, and highlighted snippets. Decision 0010 explains the index and the query plans.

Newest-first walks the (post_id DESC) partial index of visible rows backwards and stops after a
page of matches, so a common word costs as little as a rare one (the GIN index serves the rare
ones). Relevance ranks the newest RELEVANCE_CANDIDATES matches, which bounds its cost on common
words; a search that matches more than that is ranked among its recent matches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from peerhaven.accounts.models import Profile
from peerhaven.forums.models.posting import Post, PostIdentity
from peerhaven.forums.policies.posting import post_author_label, visible_communities
from peerhaven.forums.search.schema import DOC, FTS
from peerhaven.forums.search.text import (
    Marks,
    fts5_match,
    query_terms,
    snippet_html,
    tsquery_text,
)

NEWEST = "newest"
RELEVANCE = "relevance"
ORDERS = (NEWEST, RELEVANCE)
PAGE_SIZE = 20
MAX_PAGES = 25
RELEVANCE_CANDIDATES = 1000


@dataclass(frozen=True)
class SearchFilters:
    query: str
    community_id: int | None = None
    author: str = ""  # a pseudonym, matched case-insensitively
    since: dt.date | None = None
    until: dt.date | None = None
    order: str = NEWEST
    page: int = 1


@dataclass
class SearchHit:
    post_id: int
    topic_id: int
    topic_title: str
    community_name: str
    community_slug: str
    number: int
    author_label: str
    created_at: dt.datetime
    snippet: SafeString


@dataclass
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    has_next: bool = False
    terms: list[str] = field(default_factory=list)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _where(user: Any, filters: SearchFilters) -> tuple[list[str], list[Any]] | None:
    """SQL conditions on the document table (alias d) and their parameters, or None when the
    search can match nothing (no readable community, an unknown author)."""
    # The readable communities as a list of ids, not a subquery: with constants the planner
    # estimates the match and picks the GIN bitmap for a rare word and the backward id walk for a
    # common one; behind a subquery it guessed, and a rare word took half a second on 1M posts.
    community_ids = list(visible_communities(user).values_list("pk", flat=True))
    if filters.community_id is not None:
        community_ids = [pk for pk in community_ids if pk == filters.community_id]
    if not community_ids:
        return None
    conditions = ["d.is_visible", "d.community_id IN (" + ", ".join(["%s"] * len(community_ids)) + ")"]
    params: list[Any] = list(community_ids)
    if filters.author:
        # Only a pseudonym, and only posts shown under it: a display-name post is not linked to
        # its author's pseudonym, and an anonymous post has no named author at all.
        author_id = (
            Profile.objects.filter(pseudonym__iexact=filters.author.strip()).values_list("user_id", flat=True).first()
        )
        if author_id is None:
            return None
        conditions.append("d.named_author_id = %s AND d.shown_as = %s")
        params += [author_id, PostIdentity.PSEUDONYM.value]
    # Members blocked either way: a subquery in the same statement, not a query of its own.
    # Anonymous posts have no named author and are not excluded: hiding them from a blocked
    # member would tell that member who wrote them.
    conditions.append(
        "(d.named_author_id IS NULL OR d.named_author_id NOT IN ("
        "SELECT blocked_id FROM safety_block WHERE blocker_id = %s "
        "UNION ALL SELECT blocker_id FROM safety_block WHERE blocked_id = %s))"
    )
    params += [user.pk, user.pk]
    if filters.since is not None:
        conditions.append("d.created_at >= %s")
        params.append(_day_start(filters.since))
    if filters.until is not None:
        conditions.append("d.created_at < %s")
        params.append(_day_start(filters.until + dt.timedelta(days=1)))
    return conditions, params


def _matching_ids(user: Any, filters: SearchFilters, terms: list[str]) -> tuple[list[int], bool]:
    where = _where(user, filters)
    if where is None:
        return [], False
    conditions, params = where
    page = max(1, min(filters.page, MAX_PAGES))
    offset = (page - 1) * PAGE_SIZE
    limit = PAGE_SIZE + 1
    if connection.vendor == "postgresql":
        match = "d.document @@ to_tsquery('simple', %s)"
        match_params: list[Any] = [tsquery_text(terms)]
        source = f"{DOC} d"
    else:
        match = f"{FTS} MATCH %s"
        match_params = [fts5_match(terms)]
        source = f"{FTS} JOIN {DOC} d ON d.post_id = {FTS}.rowid"
    where_sql = " AND ".join([match, *conditions])
    if filters.order == RELEVANCE:
        rank = "ts_rank_cd(c.document, to_tsquery('simple', %s))" if connection.vendor == "postgresql" else "c.rank"
        inner_rank = "" if connection.vendor == "postgresql" else f", bm25({FTS}) AS rank"
        inner_doc = ", d.document" if connection.vendor == "postgresql" else ""
        sql = (
            f"SELECT c.post_id FROM (SELECT d.post_id{inner_doc}{inner_rank} FROM {source} WHERE {where_sql} "  # noqa: S608
            f"ORDER BY d.post_id DESC LIMIT %s) c "
            # ts_rank_cd: higher is better; bm25: lower is better.
            f"ORDER BY {rank} {'DESC' if connection.vendor == 'postgresql' else 'ASC'}, c.post_id DESC LIMIT %s OFFSET %s"
        )  # fixed SQL fragments; every value is a bound parameter
        all_params = [*match_params, *params, RELEVANCE_CANDIDATES]
        if connection.vendor == "postgresql":
            all_params.append(tsquery_text(terms))
        all_params += [limit, offset]
    else:
        sql = f"SELECT d.post_id FROM {source} WHERE {where_sql} ORDER BY d.post_id DESC LIMIT %s OFFSET %s"  # noqa: S608
        all_params = [*match_params, *params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids[:PAGE_SIZE], len(ids) > PAGE_SIZE


def _fts5_snippets(ids: list[int], terms: list[str], marks: Marks) -> dict[int, str]:
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT rowid, snippet({FTS}, 0, %s, %s, ' … ', 24) FROM {FTS} "  # noqa: S608
        f"WHERE {FTS} MATCH %s AND rowid IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [marks.start, marks.end, fts5_match(terms), *ids])
        return {int(row[0]): str(row[1] or "") for row in cursor.fetchall()}


def search_posts(user: Any, filters: SearchFilters) -> SearchResults:
    """A page of hits: the visible communities, the ids, the posts with their snippets (and the
    FTS5 snippets on SQLite): constant in the number of hits."""
    terms = query_terms(filters.query)
    if not terms:
        return SearchResults()
    ids, has_next = _matching_ids(user, filters, terms)
    if not ids:
        return SearchResults(terms=terms)
    marks = Marks.fresh()
    # Only the columns a hit shows (and post_author_label reads): no profile JSON or encrypted
    # field is loaded, let alone decrypted, for a search result.
    found: Any = (
        Post.objects.filter(pk__in=ids)
        .select_related("topic__community", "author__profile")
        .only("id", "topic_id", "number", "created_at", "identity_mode", "author_id", "topic__title",
              "topic__community__name", "topic__community__slug", "author__erased_at",
              "author__profile__pseudonym", "author__profile__display_name")
    )
    if connection.vendor == "postgresql":
        # The snippet in the same query as the post (ts_headline runs on this page's rows only).
        options = f"StartSel={marks.start}, StopSel={marks.end}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
        found = found.annotate(
            snippet=RawSQL("ts_headline('simple', forums_post.body, to_tsquery('simple', %s), %s)", (tsquery_text(terms), options))
        )
        posts = {post.pk: post for post in found}
        snippets = {pk: str(getattr(post, "snippet", "") or "") for pk, post in posts.items()}
    else:
        posts = {post.pk: post for post in found}
        snippets = _fts5_snippets(ids, terms, marks)
    hits = []
    for post_id in ids:
        post = posts.get(post_id)
        if post is None:
            continue
        hits.append(
            SearchHit(
                post_id=post.pk, topic_id=post.topic_id, topic_title=post.topic.title,
                community_name=post.topic.community.name, community_slug=post.topic.community.slug,
                number=post.number, author_label=post_author_label(post), created_at=post.created_at,
                snippet=snippet_html(snippets.get(post_id, ""), marks),
            )
        )
    return SearchResults(hits=hits, has_next=has_next, terms=terms)
