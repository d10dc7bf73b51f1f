"""Reads owned by notifications: a member's centre, unread count and delivery preferences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from peerhaven.notifications.kinds import KINDS
from peerhaven.notifications.models import Notification, NotificationPreference


@dataclass(frozen=True)
class KindPreference:
    """What a member receives for one kind, with the catalogue defaults filled in."""

    kind: str
    title: str
    description: str
    in_app: bool
    email: bool


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The member's notification centre, newest first (rows kept only for e-mail are left out)."""
    return Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def default_preference(kind: str) -> tuple[bool, bool]:
    """(in_app, email) for a member who never chose."""
    return True, KINDS[kind].email_default


def preference_for(user: Any, kind: str) -> tuple[bool, bool]:
    """(in_app, email) for one kind: one query."""
    row = NotificationPreference.objects.filter(user=user, kind=kind).values_list("in_app", "email").first()
    if row is None:
        return default_preference(kind)
    return bool(row[0]), bool(row[1])


def preferences_for(user: Any) -> list[KindPreference]:
    """Every registered kind in catalogue order with the member's choice: one query."""
    chosen = {
        kind: (in_app, email)
        for kind, in_app, email in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "in_app", "email"
        )
    }
    rows = []
    for code, kind in KINDS.items():
        in_app, email = chosen.get(code, default_preference(code))
        rows.append(
            KindPreference(
                kind=code, title=str(kind.title), description=str(kind.description),
                in_app=bool(in_app), email=bool(email),
            )
        )
    return rows
