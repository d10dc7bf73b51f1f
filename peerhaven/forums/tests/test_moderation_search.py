"""Search: visibility (communities, hidden and deleted posts, blocks), filters (community,
pseudonym, dates), anonymous posts never found by author, orders, safe snippets, the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import Role
from peerhaven.forums.models.moderation import PostSearchDocument
from peerhaven.forums.models.posting import Audience, Post, PostIdentity, Topic
from peerhaven.forums.search.engine import NEWEST, RELEVANCE, SearchFilters, search_posts
from peerhaven.forums.search.text import Marks, fts5_match, query_terms, snippet_html, tsquery_text
from peerhaven.forums.tests import moderation_helpers as h
from peerhaven.safety.services import block_create

pytestmark = pytest.mark.django_db


def _ids(user, **kwargs) -> list[int]:
    return [hit.post_id for hit in search_posts(user, SearchFilters(**kwargs)).hits]


def test_it_finds_posts_the_searcher_may_read(member_factory) -> None:
    author = member_factory(verified=True)
    reader = member_factory(verified=True)
    open_room = h.community()
    topic = h.topic(author, open_room, title="Evening routines", body="A walk after the last session helps me")
    post = h.reply(author, topic, "Boundaries with the pager are my lifeline")
    assert _ids(reader, query="pager") == [post.pk]
    assert _ids(reader, query="routines") == [h.first_post(topic).pk]  # the title is searched too
    assert _ids(reader, query="PAGER lifeline") == [post.pk]
    assert _ids(reader, query="pager nowhere") == []


def test_it_never_shows_what_the_searcher_cannot_read(member_factory) -> None:
    reader = member_factory(verified=True)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    closed = h.community(audience=Audience.ROLE, audience_role=Role.MODERATOR)
    topic = h.topic(moderator, closed, title="Moderators only", body="zebracorn planning")
    assert _ids(reader, query="zebracorn") == []
    assert _ids(moderator, query="zebracorn") == [h.first_post(topic).pk]
    unverified = member_factory()
    assert _ids(unverified, query="zebracorn") == []


def test_it_drops_hidden_deleted_and_moved_posts_from_results(member_factory) -> None:
    author = member_factory(verified=True)
    reader = member_factory(verified=True)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    room = h.community()
    topic = h.topic(author, room, body="quokka sighting")
    post = h.first_post(topic)
    from peerhaven.forums.services.moderation import (
        post_hide,
        post_restore,
        post_soft_delete,
        topic_move,
    )

    post_hide(actor=moderator, post=post)
    assert _ids(reader, query="quokka") == []
    post_restore(actor=moderator, post=post)
    assert _ids(reader, query="quokka") == [post.pk]
    closed = h.community(audience=Audience.ROLE, audience_role=Role.MODERATOR)
    topic_move(actor=moderator, topic=topic, community=closed)
    assert _ids(reader, query="quokka") == []
    assert PostSearchDocument.objects.get(pk=post.pk).community_id == closed.pk
    topic_move(actor=moderator, topic=Topic.objects.get(pk=topic.pk), community=room)
    post_soft_delete(actor=moderator, post=post)
    assert _ids(reader, query="quokka") == []


def test_it_follows_edits(member_factory) -> None:
    from peerhaven.forums.services.posting import post_edit

    author = member_factory(verified=True)
    topic = h.topic(author, h.community(), body="original wording")
    post = h.first_post(topic)
    post_edit(actor=author, post=post, body="rewritten capybara text")
    assert _ids(author, query="capybara") == [post.pk]
    assert _ids(author, query="original") == []


def test_it_never_finds_anonymous_posts_by_their_author(member_factory) -> None:
    author = member_factory(verified=True)
    reader = member_factory(verified=True)
    room = h.community()
    topic = h.topic(author, room, body="named axolotl post")
    anonymous = h.reply(author, topic, "anonymous axolotl post", identity_mode=PostIdentity.ANONYMOUS)
    by_display_name = h.reply(author, topic, "display axolotl post", identity_mode=PostIdentity.DISPLAY_NAME)
    pseudonym = author.profile.pseudonym
    found = _ids(reader, query="axolotl", author=pseudonym)
    assert found == [h.first_post(topic).pk]
    assert anonymous.pk not in found and by_display_name.pk not in found
    assert _ids(reader, query="axolotl", author=pseudonym.upper()) == found  # case-insensitive
    assert _ids(reader, query="axolotl", author="nobody-has-this-name") == []
    doc = PostSearchDocument.objects.get(pk=anonymous.pk)
    assert doc.named_author_id is None and doc.shown_as == ""
    hit = next(h_ for h_ in search_posts(reader, SearchFilters(query="anonymous axolotl")).hits)
    assert hit.author_label == "Verified clinician"


def test_it_filters_by_community_and_dates(member_factory) -> None:
    author = member_factory(verified=True)
    one, two = h.community(), h.community()
    first = h.first_post(h.topic(author, one, body="ocelot one"))
    second = h.first_post(h.topic(author, two, body="ocelot two"))
    assert _ids(author, query="ocelot", community_id=one.pk) == [first.pk]
    assert set(_ids(author, query="ocelot")) == {first.pk, second.pk}
    Post.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.now().date()
    assert _ids(author, query="ocelot", since=today - dt.timedelta(days=1)) == [second.pk]
    assert _ids(author, query="ocelot", until=today - dt.timedelta(days=5)) == [first.pk]


def test_it_hides_blocked_members_named_posts(member_factory) -> None:
    author = member_factory(verified=True)
    reader = member_factory(verified=True)
    topic = h.topic(author, h.community(), body="pangolin named")
    block_create(actor=reader, member=author)
    assert _ids(reader, query="pangolin") == []
    assert _ids(author, query="pangolin") == [h.first_post(topic).pk]


def test_it_orders_newest_first_or_by_relevance(member_factory) -> None:
    author = member_factory(verified=True)
    topic = h.topic(author, h.community(), body="heron once")
    many = h.reply(author, topic, "heron heron heron heron everywhere heron")
    latest = h.reply(author, topic, "a heron at last")
    assert _ids(author, query="heron", order=NEWEST) == [latest.pk, many.pk, h.first_post(topic).pk]
    assert _ids(author, query="heron", order=RELEVANCE)[0] == many.pk


def test_it_pages_results(member_factory) -> None:
    author = member_factory(verified=True)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))  # no posting limit
    topic = h.topic(moderator, h.community(), body="lynx 0")
    for n in range(1, 23):
        h.reply(moderator, topic, f"lynx {n}")
    first = search_posts(author, SearchFilters(query="lynx"))
    second = search_posts(author, SearchFilters(query="lynx", page=2))
    assert len(first.hits) == 20 and first.has_next
    assert len(second.hits) == 3 and not second.has_next
    assert not {hit.post_id for hit in first.hits} & {hit.post_id for hit in second.hits}


def test_it_renders_snippets_inert(member_factory) -> None:
    author = member_factory(verified=True)
    h.topic(author, h.community(), body='<script>alert(1)</script> "wombat" <img src=x onerror=alert(2)> \ue000tricky\ue001')
    hit = search_posts(author, SearchFilters(query="wombat")).hits[0]
    html = str(hit.snippet)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html  # shown as text (fragments differ per backend)
    assert "<mark>wombat</mark>" in html
    assert "<mark>tricky</mark>" not in html  # a member cannot forge a highlight


def test_it_neutralises_query_syntax() -> None:
    assert query_terms('"a" OR b* NEAR(c) -d') == ["a", "or", "b", "near", "c", "d"]
    assert fts5_match(['say"hi']) == '"say""hi"'
    assert tsquery_text(["o'neil"]) == "'o''neil'"
    assert query_terms("Ａｂｃ") == ["abc"]  # NFKC
    marks = Marks(start="[[", end="]]")
    assert snippet_html("a[[b<i>]]c", marks) == "a<mark>b&lt;i&gt;</mark>c"
    assert snippet_html("[[unclosed <b>", marks) == "unclosed &lt;b&gt;"
    assert Marks.fresh() != Marks.fresh()


def test_it_survives_odd_queries(member_factory) -> None:
    author = member_factory(verified=True)
    h.topic(author, h.community(), body="plain text")
    for query in ['"', "'", "AND", "NEAR(", "*", "\\", "a & b | !c", "(((", "tsquery'::", "x" * 500]:
        search_posts(author, SearchFilters(query=query))  # no database error


def test_the_search_page_shows_highlighted_results(client_for, member_factory, django_assert_max_num_queries) -> None:
    author = member_factory(verified=True)
    reader = member_factory(verified=True)
    topic = h.topic(author, h.community(name="Boundaries"), title="Saying no", body="the marmot <b>rule</b>")
    for n in range(5):
        h.reply(author, topic, f"marmot reply {n}")
    client = client_for(reader)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("forums:search"), {"q": "marmot"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>marmot</mark>" in html
    # Escaped (SQLite) or dropped as markup by ts_headline (PostgreSQL): never live.
    assert "<b>rule" not in html and "rule" in html
    assert "Saying no" in html
    bad = client.get(reverse("forums:search"), {"q": "x", "since": "2026-02-02", "until": "2026-01-01"})
    assert bad.status_code == 400
    assert client.get(reverse("forums:search"), {"q": "x", "community": "abc"}).status_code == 400


def test_the_readable_community_ids_are_those_of_the_policy(member_factory) -> None:
    """`visible_community_ids` (one statement compiled once, search's) agrees with
    `visible_communities` for every kind of member and community."""
    from peerhaven.forums.models.posting import CommunityMembership
    from peerhaven.forums.policies.posting import visible_communities, visible_community_ids

    everyone = h.community(audience=Audience.VERIFIED)
    facilitators = h.community(audience=Audience.ROLE, audience_role=Role.FACILITATOR)
    moderators = h.community(audience=Audience.ROLE, audience_role=Role.MODERATOR)
    invited_only = h.community(audience=Audience.INVITATION)
    other_invitation = h.community(audience=Audience.INVITATION)
    archived = h.community(audience=Audience.VERIFIED)
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    plain = member_factory(verified=True)
    facilitator = member_factory(verified=True, roles=(Role.FACILITATOR,))
    invited = member_factory(verified=True)
    CommunityMembership.objects.create(community=invited_only, member=invited)
    members = {
        "plain": plain, "facilitator": facilitator, "invited": invited,
        "moderator": member_factory(verified=True, roles=(Role.MODERATOR,)),
        "staff": member_factory(verified=True, roles=(Role.STAFF,)),
        "unverified": member_factory(), "suspended": member_factory(verified=True, suspended=True),
    }
    for label, member in members.items():
        expected = sorted(visible_communities(member).values_list("pk", flat=True))
        assert visible_community_ids(member) == expected, label
    assert visible_community_ids(plain) == [everyone.pk]
    assert visible_community_ids(facilitator) == [everyone.pk, facilitators.pk]
    assert visible_community_ids(invited) == [everyone.pk, invited_only.pk]
    assert moderators.pk not in visible_community_ids(facilitator)
    assert other_invitation.pk not in visible_community_ids(invited)
    # A grant or an invitation withdrawn counts at the next read: nothing is kept between calls.
    from peerhaven.accounts.models import RoleGrant

    RoleGrant.objects.filter(user=facilitator).delete()
    CommunityMembership.objects.filter(member=invited).delete()
    assert visible_community_ids(facilitator) == [everyone.pk]
    assert visible_community_ids(invited) == [everyone.pk]
