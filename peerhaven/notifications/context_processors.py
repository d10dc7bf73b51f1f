"""The unread count shown beside "Notifications" in the site header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from peerhaven.core.policies import UNREAD_CACHE
from peerhaven.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    primed = getattr(user, UNREAD_CACHE, None)  # loaded with the member gate's one query
    return {"unread_notifications": unread_count(user) if primed is None else primed}
