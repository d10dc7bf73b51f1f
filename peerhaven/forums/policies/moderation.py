"""Who may moderate the forums, manage watched words, use the anonymous relay, ask for and
approve a reveal, search, and suggest or publish resources. One function per action, used by
the pages and the API alike; loaders answer 404 to outsiders.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from peerhaven.accounts.models import Role
from peerhaven.core.policies import has_role, is_active_member, is_verified
from peerhaven.forums.models.moderation import (
    RelayMessage,
    Resource,
    ResourceStatus,
    RevealRequest,
    RevealStatus,
)
from peerhaven.forums.models.posting import Post, PostIdentity, Topic
from peerhaven.forums.policies.posting import can_read_post, can_read_topic, is_forum_moderator


# --- moderation ----------------------------------------------------------------------------------
def can_moderate_forums(user: Any) -> bool:
    return is_forum_moderator(user)


def can_moderate_post(user: Any, post: Post) -> bool:
    return is_forum_moderator(user) and can_read_post(user, post)


def can_moderate_topic(user: Any, topic: Topic) -> bool:
    return is_forum_moderator(user) and can_read_topic(user, topic)


def can_suspend_from_forums(user: Any, post: Post) -> bool:
    """Staff suspend (through the staff app's service). Never from an anonymous post: that would
    tell the staff member who wrote it; the reveal is the way."""
    return has_role(user, Role.STAFF) and post.identity_mode != PostIdentity.ANONYMOUS and post.author_id is not None


def can_manage_watched_words(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def can_manage_forum_settings(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def moderated_post_get_for_user(user: Any, pk: int) -> Post:
    """A post a moderator acts on (hidden ones included; deleted ones are gone), or 404."""
    if not is_forum_moderator(user):
        raise Http404
    post = Post.objects.select_related("topic__community", "author__profile").filter(pk=pk).first()
    if post is None or post.deleted_at is not None or not can_read_topic(user, post.topic):
        raise Http404
    return post


def moderated_topic_get_for_user(user: Any, pk: int) -> Topic:
    if not is_forum_moderator(user):
        raise Http404
    topic = Topic.objects.select_related("community").filter(pk=pk).first()
    if topic is None or not can_read_topic(user, topic):
        raise Http404
    return topic


# --- the relay -----------------------------------------------------------------------------------
def can_relay_as_moderator(user: Any, post: Post) -> bool:
    return can_moderate_post(user, post) and post.identity_mode == PostIdentity.ANONYMOUS and post.author_id is not None


def can_relay_as_author(user: Any, post: Post) -> bool:
    """The author of an anonymous post answers through the relay once a moderator wrote first."""
    return (
        is_active_member(user)
        and post.identity_mode == PostIdentity.ANONYMOUS
        and post.author_id == user.pk
        and RelayMessage.objects.filter(post=post).exists()
    )


def relay_post_get_for_author(user: Any, pk: int) -> Post:
    post = Post.objects.select_related("topic__community").filter(pk=pk).first()
    if post is None or not can_relay_as_author(user, post):
        raise Http404
    return post


# --- the reveal ----------------------------------------------------------------------------------
def can_request_reveal(user: Any, post: Post) -> bool:
    return (
        has_role(user, Role.STAFF)
        and post.identity_mode == PostIdentity.ANONYMOUS
        and post.author_id is not None
        and post.author_id != user.pk
    )


def can_decide_reveal(user: Any, reveal: RevealRequest) -> bool:
    """A different staff member from the one who asked (and never the author themself)."""
    return (
        has_role(user, Role.STAFF)
        and reveal.requested_by_id != user.pk
        and reveal.post.author_id != user.pk
    )


def can_see_revealed_identity(user: Any, reveal: RevealRequest) -> bool:
    return (
        has_role(user, Role.STAFF)
        and reveal.status == RevealStatus.APPROVED
        and reveal.requested_by_id == user.pk
        and reveal.shown_at is None
    )


def reveal_get_for_staff(user: Any, pk: int) -> RevealRequest:
    if not has_role(user, Role.STAFF):
        raise Http404
    reveal = RevealRequest.objects.select_related("post__topic__community").filter(pk=pk).first()
    if reveal is None:
        raise Http404
    return reveal


# --- search and digests --------------------------------------------------------------------------
def can_search_forums(user: Any) -> bool:
    return is_active_member(user) and (is_verified(user) or is_forum_moderator(user) or has_role(user, Role.STAFF))


def can_choose_digest(user: Any) -> bool:
    return is_verified(user)


# --- resources -----------------------------------------------------------------------------------
def can_read_library(user: Any) -> bool:
    return can_search_forums(user)


def can_suggest_resource(user: Any) -> bool:
    return is_verified(user)


def can_publish_resources(user: Any) -> bool:
    return is_forum_moderator(user)


def can_read_resource(user: Any, resource: Resource) -> bool:
    if resource.status == ResourceStatus.PUBLISHED:
        return can_read_library(user)
    return is_forum_moderator(user) or (is_active_member(user) and resource.suggested_by_id == user.pk)


def resource_get_for_user(user: Any, pk: int) -> Resource:
    resource = Resource.objects.select_related("topic").prefetch_related("taggings").filter(pk=pk).first()
    if resource is None or not can_read_resource(user, resource):
        raise Http404
    return resource
