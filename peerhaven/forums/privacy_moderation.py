"""forums moderation's part of the privacy registry: the member's digest choice, the warnings
they received, their relay conversations (what they wrote and what the moderators wrote to them,
never a moderator's name), reveals of their anonymous posts (that one happened, never by whom or
why) and the resources they suggested."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from peerhaven.forums.models.moderation import (
    DigestDelivery,
    DigestPreference,
    ModerationWarning,
    RelayMessage,
    Resource,
    ResourceStatus,
    RevealRequest,
    RevealStatus,
)

SECTION = "forums_moderation"


def export_member(user: Any) -> dict[str, Any]:
    preference = DigestPreference.objects.filter(user=user).first()
    return {
        "digest": preference.frequency if preference else "off",
        "warnings": [
            {"post": warning.post_id, "reason": warning.reason, "created_at": warning.created_at}
            for warning in ModerationWarning.objects.filter(member=user).order_by("created_at", "pk")
        ],
        "relay_messages": [
            {"post": message.post_id, "direction": message.direction, "body": message.body,
             "created_at": message.created_at}
            for message in RelayMessage.objects.filter(post__author=user).order_by("created_at", "pk")
        ],
        "reveals_of_my_posts": [
            {"post": reveal.post_id, "approved_at": reveal.decided_at}
            for reveal in RevealRequest.objects.filter(post__author=user, status=RevealStatus.APPROVED)
        ],
        "suggested_resources": [
            {"title": resource.title, "kind": resource.kind, "url": resource.url, "summary": resource.summary,
             "status": resource.status, "created_at": resource.created_at}
            for resource in Resource.objects.filter(suggested_by=user).order_by("created_at", "pk")
        ],
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    DigestPreference.objects.filter(user=user).delete()
    DigestDelivery.objects.filter(user=user).delete()
    ModerationWarning.objects.filter(member=user).delete()
    # What they wrote through the relay is theirs; the thread's moderator side is kept only
    # while the post is (the post's own eraser decides that).
    RelayMessage.objects.filter(post__author=user, direction="from_author").delete()
    for resource in Resource.objects.filter(suggested_by=user).exclude(status=ResourceStatus.PUBLISHED):
        if resource.document_path and default_storage.exists(resource.document_path):
            default_storage.delete(resource.document_path)
        resource.delete()
    # Published resources belong to the library now: detached from the member.
    Resource.objects.filter(suggested_by=user).update(suggested_by=None)
