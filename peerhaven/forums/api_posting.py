"""/api/v1 for communities, topics, posts, reactions and follows: a thin edge over the same
policies, selectors and services as the pages. Tokens need forums:read / forums:write.

A post's author is given only as its label (`post_author_label`): there is no author id field
in any post schema, so an anonymous post's author cannot be serialised by mistake.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from peerhaven.accounts.models import User
from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.forums.markdown import post_html
from peerhaven.forums.models.posting import Post, PostIdentity, ReactionKind
from peerhaven.forums.policies.posting import (
    can_edit_post,
    community_get_for_user,
    is_own_post,
    post_author_label,
    post_get_for_user,
    topic_get_for_user,
)
from peerhaven.forums.selectors.posting import (
    POSTS_PER_PAGE,
    communities_for_user,
    community_topics,
    topic_posts,
    with_reactions,
)
from peerhaven.forums.services.posting import (
    PostRefused,
    community_follow_set,
    post_create,
    post_edit,
    reaction_set,
    topic_create,
    topic_follow_set,
)

router = Router(tags=["forums"])


class CommunityOut(Schema):
    slug: str
    name: str
    description: str
    audience: str
    topic_count: int
    unread_topic_count: int
    following: bool


class TopicOut(Schema):
    id: int
    community: str
    title: str
    started_by: str
    post_count: int
    unread_count: int
    created_at: dt.datetime
    last_post_at: dt.datetime
    pinned: bool
    locked: bool
    following: bool


class PostOut(Schema):
    id: int
    topic_id: int
    number: int
    # The label only ("Verified clinician" for anonymous posts); never an id.
    author: str
    anonymous: bool
    mine: bool
    body: str
    html: str
    content_note: str
    reply_to: int | None
    created_at: dt.datetime
    edited_at: dt.datetime | None
    hidden: bool
    reactions: dict[str, int]
    my_reactions: list[str]


class TopicIn(Schema):
    title: str = Field(min_length=1, max_length=140)
    body: str = Field(min_length=1, max_length=20000)
    identity_mode: PostIdentity = PostIdentity.PSEUDONYM
    content_note: str = ""


class PostIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    identity_mode: PostIdentity = PostIdentity.PSEUDONYM
    content_note: str = ""
    reply_to: int | None = None


class PostEditIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    content_note: str | None = None


class ReactionIn(Schema):
    kind: ReactionKind


class StateOut(Schema):
    on: bool


def _member(request: HttpRequest) -> User:
    candidate: Any = getattr(request, "auth", None)
    if candidate is not None and not isinstance(candidate, User):
        candidate = getattr(candidate, "user", None)
    if not isinstance(candidate, User):
        candidate = getattr(request, "user", None)
    if not isinstance(candidate, User) or not candidate.is_authenticated:
        raise HttpError(401, _("Please sign in."))
    if not is_active_member(candidate):
        raise HttpError(403, _("This account is suspended."))
    if not is_verified(candidate):
        raise HttpError(403, _("The communities are for verified members."))
    return candidate


def _refused(error: PostRefused) -> HttpError:
    status = 429 if error.code in {"hourly_limit", "new_member_limit"} else 400
    return HttpError(status, str(error))


def _post_out(post: Post, viewer: User) -> dict[str, Any]:
    hidden = post.hidden_at is not None or post.deleted_at is not None
    return {
        "id": post.pk,
        "topic_id": post.topic_id,
        "number": post.number,
        "author": post_author_label(post, viewer),
        "anonymous": post.identity_mode == PostIdentity.ANONYMOUS,
        "mine": is_own_post(viewer, post),
        "body": "" if hidden else post.body,
        "html": "" if hidden else str(post_html(post.rendered_html)),
        "content_note": post.content_note,
        "reply_to": post.reply_to_id,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "hidden": hidden,
        "reactions": {kind: int(getattr(post, f"count_{kind}", 0)) for kind in ReactionKind.values},
        "my_reactions": [kind for kind in ReactionKind.values if getattr(post, f"mine_{kind}", False)],
    }


def _fresh(post: Post, viewer: User) -> dict[str, Any]:
    return _post_out(with_reactions(viewer, [post])[0], viewer)


@router.get("/forums/communities", response=list[CommunityOut], summary="Communities you can read")
def communities_list(request: HttpRequest) -> list[Any]:
    return list(communities_for_user(_member(request)))


@router.put("/forums/communities/{slug}/follow", response=StateOut, summary="Follow a community")
def community_follow(request: HttpRequest, slug: str) -> dict[str, bool]:
    member = _member(request)
    community_follow_set(actor=member, community=community_get_for_user(member, slug), following=True)
    return {"on": True}


@router.delete("/forums/communities/{slug}/follow", response=StateOut, summary="Stop following a community")
def community_unfollow(request: HttpRequest, slug: str) -> dict[str, bool]:
    member = _member(request)
    community_follow_set(actor=member, community=community_get_for_user(member, slug), following=False)
    return {"on": False}


@router.get("/forums/communities/{slug}/topics", response=list[TopicOut], summary="A community's topics")
def topics_list(request: HttpRequest, slug: str, page: int = 1) -> list[dict[str, Any]]:
    member = _member(request)
    community = community_get_for_user(member, slug)
    page = max(page, 1)
    topics = community_topics(member, community)[(page - 1) * 30 : page * 30]
    rows = []
    for topic in topics:
        openings = getattr(topic, "opening_posts", [])
        opening = openings[0] if openings else None
        rows.append({
            "id": topic.pk, "community": community.slug, "title": topic.title,
            "started_by": post_author_label(opening, member) if opening else "",
            "post_count": topic.post_count, "unread_count": max(int(getattr(topic, "unread_count", 0)), 0),
            "created_at": topic.created_at, "last_post_at": topic.last_post_at,
            "pinned": topic.pinned, "locked": topic.locked, "following": bool(getattr(topic, "following", False)),
        })
    return rows


@router.post("/forums/communities/{slug}/topics", response={201: PostOut}, summary="Start a topic")
def topic_start(request: HttpRequest, slug: str, payload: TopicIn) -> tuple[int, dict[str, Any]]:
    member = _member(request)
    community = community_get_for_user(member, slug)
    try:
        topic = topic_create(actor=member, community=community, title=payload.title, body=payload.body,
                             identity_mode=payload.identity_mode, content_note=payload.content_note,
                             request=request)
    except PostRefused as error:
        raise _refused(error) from error
    return 201, _fresh(topic.posts.get(number=1), member)


@router.put("/forums/topics/{topic_id}/follow", response=StateOut, summary="Follow a topic")
def topic_follow(request: HttpRequest, topic_id: int) -> dict[str, bool]:
    member = _member(request)
    topic_follow_set(actor=member, topic=topic_get_for_user(member, topic_id), following=True)
    return {"on": True}


@router.delete("/forums/topics/{topic_id}/follow", response=StateOut, summary="Stop following a topic")
def topic_unfollow(request: HttpRequest, topic_id: int) -> dict[str, bool]:
    member = _member(request)
    topic_follow_set(actor=member, topic=topic_get_for_user(member, topic_id), following=False)
    return {"on": False}


@router.get("/forums/topics/{topic_id}/posts", response=list[PostOut], summary="A topic's posts, a page at a time")
def posts_list(request: HttpRequest, topic_id: int, page: int = 1) -> list[dict[str, Any]]:
    member = _member(request)
    topic = topic_get_for_user(member, topic_id)
    page = max(page, 1)
    posts = with_reactions(member, list(topic_posts(member, topic)[(page - 1) * POSTS_PER_PAGE : page * POSTS_PER_PAGE]))
    rows = []
    for post in posts:
        post.topic = topic
        rows.append(_post_out(post, member))
    return rows


@router.post("/forums/topics/{topic_id}/posts", response={201: PostOut}, summary="Reply in a topic")
def post_reply(request: HttpRequest, topic_id: int, payload: PostIn) -> tuple[int, dict[str, Any]]:
    member = _member(request)
    topic = topic_get_for_user(member, topic_id)
    reply_to = None
    if payload.reply_to is not None:
        reply_to = Post.objects.filter(pk=payload.reply_to, topic=topic).first()
        if reply_to is None:
            raise HttpError(422, _("You can only reply to a post in the same topic."))
    try:
        post = post_create(actor=member, topic=topic, body=payload.body, identity_mode=payload.identity_mode,
                           content_note=payload.content_note, reply_to=reply_to, request=request)
    except PostRefused as error:
        raise _refused(error) from error
    return 201, _fresh(post, member)


@router.patch("/forums/posts/{post_id}", response=PostOut, summary="Edit a post (its author or a moderator)")
def post_update(request: HttpRequest, post_id: int, payload: PostEditIn) -> dict[str, Any]:
    member = _member(request)
    post = post_get_for_user(member, post_id)
    if not can_edit_post(member, post):
        raise HttpError(404, _("Not found."))
    try:
        post_edit(actor=member, post=post, body=payload.body, content_note=payload.content_note, request=request)
    except PostRefused as error:
        raise _refused(error) from error
    return _fresh(post, member)


@router.post("/forums/posts/{post_id}/reactions", response=PostOut, summary="Add a support reaction")
def reaction_add(request: HttpRequest, post_id: int, payload: ReactionIn) -> dict[str, Any]:
    member = _member(request)
    post = post_get_for_user(member, post_id)
    reaction_set(actor=member, post=post, kind=payload.kind, on=True)
    return _fresh(post, member)


@router.delete("/forums/posts/{post_id}/reactions/{kind}", response=PostOut, summary="Take back a support reaction")
def reaction_remove(request: HttpRequest, post_id: int, kind: ReactionKind) -> dict[str, Any]:
    member = _member(request)
    post = post_get_for_user(member, post_id)
    reaction_set(actor=member, post=post, kind=kind, on=False)
    return _fresh(post, member)
