"""forums posting's part of the privacy registry: the member's own posts (anonymous ones
included, marked as such: they are the member's own data), topics they opened, reactions, follows,
bookmarks, drafts and reading preferences. Never another member's identity: posts by others
appear nowhere, and a bookmarked post is listed by its id and topic title only."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from peerhaven.forums.models.posting import (
    Bookmark,
    CollapsePreference,
    CommunityFollow,
    CommunityMembership,
    Draft,
    ForumImage,
    Mention,
    Post,
    Reaction,
    ReadingPreference,
    Topic,
    TopicFollow,
    TopicReadState,
)

SECTION = "forums"


def export_member(user: Any) -> dict[str, Any]:
    posts = Post.objects.filter(author=user).select_related("topic__community").order_by("created_at", "pk")
    return {
        "posts": [
            {
                "id": post.pk,
                "community": post.topic.community.name,
                "topic": post.topic.title,
                "number": post.number,
                "posted_as": post.identity_mode,
                "anonymous": post.is_anonymous,
                "body": post.body,
                "content_note": post.content_note,
                "created_at": post.created_at,
                "edited_at": post.edited_at,
                "hidden_by_moderator": post.hidden_at is not None,
                "revisions": [
                    {"body": revision.body, "replaced_at": revision.replaced_at}
                    for revision in post.revisions.order_by("replaced_at", "pk")
                ],
            }
            for post in posts
        ],
        "reactions": [
            {"post": reaction.post_id, "kind": reaction.kind, "created_at": reaction.created_at}
            for reaction in Reaction.objects.filter(member=user).order_by("created_at", "pk")
        ],
        "followed_topics": [
            follow.topic.title for follow in TopicFollow.objects.filter(member=user).select_related("topic")
        ],
        "followed_communities": [
            follow.community.name
            for follow in CommunityFollow.objects.filter(member=user).select_related("community")
        ],
        "bookmarks": [
            {"post": bookmark.post_id, "topic": bookmark.post.topic.title, "created_at": bookmark.created_at}
            for bookmark in Bookmark.objects.filter(member=user).select_related("post__topic")
        ],
        "drafts": [
            {"community": draft.community.name, "title": draft.title, "body": draft.body,
             "updated_at": draft.updated_at}
            for draft in Draft.objects.filter(member=user).select_related("community")
        ],
        "reading_preferences": {
            "collapse_mode": ReadingPreference.objects.filter(member=user)
            .values_list("collapse_mode", flat=True)
            .first()
            or "all",
            "always_collapse": sorted(
                CollapsePreference.objects.filter(member=user).values_list("content_note", flat=True)
            ),
        },
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    """Kept posts lose their author (shown as "former member"; an anonymous post stays
    "Verified clinician"). Otherwise the posts go; a topic left without posts goes too."""
    mine = Post.objects.filter(author=user)
    if keep_posts_as_former_member:
        mine.update(author=None)
    else:
        topic_ids = set(mine.values_list("topic_id", flat=True))
        mine.delete()
        Topic.objects.filter(pk__in=topic_ids, posts__isnull=True).delete()
    Post.objects.filter(hidden_by=user).update(hidden_by=None)
    for image in ForumImage.objects.filter(uploader=user):
        if not keep_posts_as_former_member:
            if image.storage_path and default_storage.exists(image.storage_path):
                default_storage.delete(image.storage_path)
            image.delete()
        else:
            ForumImage.objects.filter(pk=image.pk).update(uploader=None)
    for model in (Reaction, TopicFollow, CommunityFollow, Bookmark, TopicReadState, Draft, Mention,
                  CollapsePreference, ReadingPreference, CommunityMembership):
        model.objects.filter(member=user).delete()
