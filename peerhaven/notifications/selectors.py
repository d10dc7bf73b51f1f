"""Reads owned by notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from peerhaven.notifications.models import Notification


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
