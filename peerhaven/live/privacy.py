"""live's part of the privacy registry: the member's meetup registrations and chat messages, and
the video rooms they were removed from or are in right now."""

from __future__ import annotations

from typing import Any

from peerhaven.live.models import (
    ChatMessage,
    MeetupRegistration,
    Reaction,
    VideoRoomPresence,
    VideoRoomRemoval,
)

SECTION = "live"


def export_member(user: Any) -> dict[str, Any]:
    # Other members' messages are left out: they are theirs.
    registrations = MeetupRegistration.objects.filter(member=user).select_related("meetup").order_by("created_at", "pk")
    messages = ChatMessage.objects.filter(author=user).select_related("meetup").order_by("created_at", "pk")
    return {
        "meetup_registrations": [
            {"meetup": registration.meetup.title, "starts_at": registration.meetup.starts_at,
             "registered_at": registration.created_at, "removed": registration.removed_at is not None}
            for registration in registrations
        ],
        "chat_messages": [
            {"meetup": message.meetup.title, "body": message.body, "content_note": message.content_note,
             "created_at": message.created_at}
            for message in messages
        ],
        # Nothing of a call itself is kept; only these facts about the member.
        "video_room_removals": [
            {"room": removal.room.key, "removed_at": removal.removed_at}
            for removal in VideoRoomRemoval.objects.filter(member=user).select_related("room").order_by("removed_at", "pk")
        ],
        "video_rooms_present_in": [
            {"room": row.room.key, "joined_at": row.joined_at}
            for row in VideoRoomPresence.objects.filter(member=user).select_related("room").order_by("joined_at", "pk")
        ],
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    # Kept messages show "Former member" as their author (User.public_name after erasure).
    if not keep_posts_as_former_member:
        ChatMessage.objects.filter(author=user).delete()
    Reaction.objects.filter(member=user).delete()
    MeetupRegistration.objects.filter(member=user, meetup__ended_at__isnull=True).delete()
    VideoRoomPresence.objects.filter(member=user).delete()
    VideoRoomRemoval.objects.filter(member=user).delete()
