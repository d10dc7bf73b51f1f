"""Core models: the append-only audit log, scheduler runs, worker heartbeat, contact messages."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from peerhaven.core.fields import EncryptedTextField


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One row per security-relevant action. Never updated or deleted in place.

    The actor is stored as a plain id (no foreign key): when a member is erased their audit rows
    stay untouched and show a tombstone instead of a name.
    """

    action = models.CharField(max_length=80, db_index=True)  # dotted code: "licence.approve"
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=40, blank=True)  # role or "system", never a name
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)  # codes and ids only, never user content

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")


class ScheduledRun(models.Model):
    """A due run of a scheduled job. (job, slot) is unique, so two schedulers never run it twice."""

    job = models.CharField(max_length=80)
    slot = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """Written by a task the scheduler queues every minute: proves scheduler and worker both run."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%H:%M:%S}"


class ContactMessage(models.Model):
    """A question from the public services page, routed to staff. The text is encrypted."""

    email = models.EmailField()
    subject = models.CharField(max_length=120)
    message = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Contact message {self.pk}"
