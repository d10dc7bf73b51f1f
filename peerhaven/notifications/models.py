"""In-app notifications and per-kind delivery preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """'There is something new for you': a kind, a title from a fixed catalogue, and a link."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # False when the member turned the in-app centre off for this kind but still wants the
    # e-mail: the row exists only so the e-mail task has an id to work from.
    in_app = models.BooleanField(default=True)
    # Set when the e-mail worker claims the row, so a retried task never sends twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for member {self.user_id}"

    @property
    def title(self) -> str:
        from peerhaven.notifications.kinds import kind_title

        return kind_title(self.kind)


class NotificationPreference(models.Model):
    """A member's choice for one kind. No row means the kind's defaults (see kinds.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} preference of member {self.user_id}"
