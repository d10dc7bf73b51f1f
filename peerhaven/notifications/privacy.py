"""notifications' part of the privacy registry (peerhaven.core.privacy): the member's
notifications and their delivery choices."""

from __future__ import annotations

from typing import Any

from peerhaven.notifications.kinds import kind_title
from peerhaven.notifications.models import Notification, NotificationPreference

SECTION = "notifications"


def export_member(user: Any) -> dict[str, Any]:
    return {
        "notifications": [
            {
                "kind": row["kind"],
                "title": kind_title(row["kind"]),
                "link": row["link"],
                "created_at": row["created_at"],
                "read_at": row["read_at"],
                "emailed_at": row["emailed_at"],
                "in_app": row["in_app"],
            }
            for row in Notification.objects.filter(user=user)
            .order_by("created_at", "id")
            .values("kind", "link", "created_at", "read_at", "emailed_at", "in_app")
        ],
        "preferences": [
            {"kind": row["kind"], "in_app": row["in_app"], "email": row["email"], "updated_at": row["updated_at"]}
            for row in NotificationPreference.objects.filter(user=user)
            .order_by("kind")
            .values("kind", "in_app", "email", "updated_at")
        ],
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    # Nothing here is community content: it all goes, whatever the member chose about posts.
    Notification.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
