"""Who may see and act on a notification: only the member it was written for."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from peerhaven.core.policies import is_active_member
from peerhaven.notifications.models import Notification


def can_view_notification(user: Any, notification: Notification) -> bool:
    return is_active_member(user) and notification.in_app and notification.user_id == user.pk


def can_mark_notification_read(user: Any, notification: Notification) -> bool:
    return can_view_notification(user, notification)


def notification_get_for_user(user: Any, pk: int) -> Notification:
    """The member's own notification, or 404: another member's looks exactly like a missing one."""
    if not is_active_member(user):
        raise Http404
    notification = Notification.objects.filter(pk=pk, user=user, in_app=True).first()
    if notification is None or not can_view_notification(user, notification):
        raise Http404
    return notification
