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
from django.utils.safestring import SafeString

from peerhaven.accounts.models import Profile
from peerhaven.forums.models.posting import PostIdentity
from peerhaven.forums.policies.posting import author_label_from_columns, visible_community_ids
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
    community_ids = visible_community_ids(user)
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


def _id_query(user: Any, filters: SearchFilters, terms: list[str]) -> tuple[str, list[Any]] | None:
    """The statement that finds a page of matching ids (PAGE_SIZE + 1, to tell whether there is
    a next page) with the whole visibility filter, newest first or ranked; None when nothing can
    match. Its first column is the post id; on PostgreSQL's relevance order the second is the rank."""
    where = _where(user, filters)
    if where is None:
        return None
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
        postgres = connection.vendor == "postgresql"
        rank = "ts_rank_cd(c.document, to_tsquery('simple', %s))" if postgres else "c.rank"
        inner_rank = "" if postgres else f", bm25({FTS}) AS rank"
        inner_doc = ", d.document" if postgres else ""
        outer_rank = f", {rank} AS score" if postgres else ""
        sql = (
            f"SELECT c.post_id{outer_rank} FROM (SELECT d.post_id{inner_doc}{inner_rank} FROM {source} WHERE {where_sql} "  # noqa: S608
            f"ORDER BY d.post_id DESC LIMIT %s) c "
            # ts_rank_cd: higher is better; bm25: lower is better.
            f"ORDER BY {rank} {'DESC' if postgres else 'ASC'}, c.post_id DESC LIMIT %s OFFSET %s"
        )  # fixed SQL fragments; every value is a bound parameter
        # In the order of the placeholders: the outer rank column (PostgreSQL), the inner match
        # and filters, the candidate bound, the outer ORDER BY rank (PostgreSQL), the page.
        all_params: list[Any] = [tsquery_text(terms)] if postgres else []
        all_params += [*match_params, *params, RELEVANCE_CANDIDATES]
        if postgres:
            all_params.append(tsquery_text(terms))
        all_params += [limit, offset]
    else:
        sql = f"SELECT d.post_id FROM {source} WHERE {where_sql} ORDER BY d.post_id DESC LIMIT %s OFFSET %s"  # noqa: S608
        all_params = [*match_params, *params, limit, offset]
    return sql, all_params


def _matching_ids(user: Any, filters: SearchFilters, terms: list[str]) -> tuple[list[int], bool]:
    """The page's ids in order, and whether a next page exists (the id query alone: the
    benchmark times it apart from the rows and snippets)."""
    query = _id_query(user, filters, terms)
    if query is None:
        return [], False
    with connection.cursor() as cursor:
        cursor.execute(*query)
        ids = [row[0] for row in cursor.fetchall()]
    return ids[:PAGE_SIZE], len(ids) > PAGE_SIZE


# What a hit shows, read as plain columns (no model instances: building five related objects per
# row cost more than the query). The author's columns only feed author_label_from_columns.
_HIT_COLUMNS = (
    "p.id, p.topic_id, p.number, p.created_at, p.identity_mode, p.author_id IS NOT NULL, "
    "u.erased_at IS NOT NULL, pr.id IS NOT NULL, pr.pseudonym, pr.display_name, t.title, c.name, c.slug"
)
_HIT_JOINS = (
    "JOIN forums_topic t ON t.id = p.topic_id JOIN forums_community c ON c.id = t.community_id "
    "LEFT JOIN accounts_user u ON u.id = p.author_id LEFT JOIN accounts_profile pr ON pr.user_id = u.id"
)


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
    """A page of hits. PostgreSQL: the readable communities, then one statement (the id query
    as a materialised CTE, joined to the page's posts with their `ts_headline` snippets).
    SQLite: the ids, the rows, the FTS5 snippets. Constant in the number of hits either way."""
    terms = query_terms(filters.query)
    if not terms:
        return SearchResults()
    query = _id_query(user, filters, terms)
    if query is None:
        return SearchResults(terms=terms)
    id_sql, id_params = query
    marks = Marks.fresh()
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            ranked = filters.order == RELEVANCE
            options = f"StartSel={marks.start}, StopSel={marks.end}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
            # MATERIALIZED keeps the id query's own plan (the planner must not fold the joins in).
            cursor.execute(
                f"WITH page AS MATERIALIZED ({id_sql}) "  # noqa: S608 - fixed fragments, bound values
                f"SELECT {_HIT_COLUMNS}, ts_headline('simple', p.body, to_tsquery('simple', %s), %s), "
                f"{'page.score' if ranked else '0'} "
                f"FROM page JOIN forums_post p ON p.id = page.post_id {_HIT_JOINS}",
                [*id_params, tsquery_text(terms), options],
            )
            rows = cursor.fetchall()
            # The page's order: newest first, or by rank then newest (as the id query ordered).
            rows.sort(key=(lambda row: (-row[-1], -row[0])) if ranked else (lambda row: -row[0]))
            has_next = len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE]
            snippets = {row[0]: str(row[13] or "") for row in rows}
        else:
            cursor.execute(*query)
            ids = [row[0] for row in cursor.fetchall()]
            has_next = len(ids) > PAGE_SIZE
            ids = ids[:PAGE_SIZE]
            if not ids:
                return SearchResults(terms=terms)
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(f"SELECT {_HIT_COLUMNS} FROM forums_post p {_HIT_JOINS} WHERE p.id IN ({placeholders})", ids)  # noqa: S608
            by_id = {row[0]: row for row in cursor.fetchall()}
            rows = [by_id[pk] for pk in ids if pk in by_id]
            snippets = _fts5_snippets(ids, terms, marks)
    hits = []
    for row in rows:
        (post_id, topic_id, number, created_at, identity_mode, has_author, erased, has_profile,
         pseudonym, display_name, title, community_name, community_slug) = row[:13]
        if isinstance(created_at, str):  # SQLite hands raw SQL timestamps back as text
            created_at = dt.datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=dt.UTC)
        hits.append(
            SearchHit(
                post_id=post_id, topic_id=topic_id, topic_title=title,
                community_name=community_name, community_slug=community_slug, number=number,
                author_label=author_label_from_columns(
                    identity_mode, has_author=bool(has_author), erased=bool(erased),
                    has_profile=bool(has_profile), pseudonym=pseudonym, display_name=display_name,
                ),
                created_at=created_at,
                snippet=snippet_html(snippets.get(post_id, ""), marks),
            )
        )
    return SearchResults(hits=hits, has_next=has_next, terms=terms)
