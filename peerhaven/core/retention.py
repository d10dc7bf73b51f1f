"""Retention: how long each kind of record is kept, and the daily jobs that delete what is older.

The schedule below is the one docs/privacy.md ("Retention") publishes; change both together.

| record                                              | kept                                   |
|-----------------------------------------------------|----------------------------------------|
| notification, read                                  | 90 days after it was read              |
| notification, any                                   | 365 days after it was created          |
| licence submission's message and reply (rejected,   | 1 year after the decision (or after a  |
|   superseded)                                       |   newer submission replaced it)        |
| licence document (verified, rejected, expired,      | 90 days after the submission closed    |
|   superseded submission)                            |                                        |
| contact message, handled                            | 180 days after it was handled          |
| session                                             | until it expires (12 h at most)        |
| task result (finished)                              | 14 days                                |
| scheduler run record                                | 30 days                                |
| chat message (live app; a staff setting there)      | 30 days after the meetup (default)     |
| audit row                                           | 6 years                                |

Each job deletes or clears in one statement per kind, and audits what it did with counts only.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peerhaven.core.audit import audit_log
from peerhaven.core.models import ContactMessage, ScheduledRun
from peerhaven.notifications.models import Notification
from peerhaven.verification.documents import delete_stored
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus

NOTIFICATION_READ_DAYS = 90
NOTIFICATION_ANY_DAYS = 365
LICENCE_MESSAGE_DAYS = 365
LICENCE_DOCUMENT_DAYS = 90
CONTACT_MESSAGE_HANDLED_DAYS = 180
TASK_RESULT_DAYS = 14
SCHEDULED_RUN_DAYS = 30
# Live meetup chat: the live app's job (live.purge_expired_chat) and setting, with this default.
CHAT_MESSAGE_DAYS = 30
# The PostgreSQL trigger (core migration 0003) holds the same figure: change both together.
AUDIT_YEARS = 6

# SQLite stores datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC, which compares as text.
# Both statements use the database's clock, as the PostgreSQL trigger does, so the WHERE and the
# trigger never disagree about a row at the boundary.
_AUDIT_PURGE_SQL = {
    "postgresql": "DELETE FROM core_auditentry WHERE at < now() - interval '6 years'",
    "sqlite": "DELETE FROM core_auditentry WHERE at < datetime('now', '-6 years')",
}


def _record(job: str, count: int) -> None:
    if count:
        audit_log(f"retention.{job}", count=count)


def notifications_purge(*, now: dt.datetime | None = None) -> int:
    """Read notifications after 90 days, every notification after 365 days."""
    now = now or timezone.now()
    stale = Q(read_at__lt=now - dt.timedelta(days=NOTIFICATION_READ_DAYS)) | Q(
        created_at__lt=now - dt.timedelta(days=NOTIFICATION_ANY_DAYS)
    )
    with transaction.atomic():
        deleted, _ = Notification.objects.filter(stale).delete()
        _record("notifications", deleted)
    return deleted


def _superseded_before(cutoff: dt.datetime) -> Exists:
    """A superseded submission closed when the member's next submission arrived."""
    return Exists(
        LicenceSubmission.objects.filter(
            member=OuterRef("member"), created_at__gt=OuterRef("created_at"), created_at__lt=cutoff
        )
    )


def licence_messages_clear(*, now: dt.datetime | None = None) -> int:
    """Clear the verifier's message and the member's reply of rejected and superseded
    submissions a year after they closed: the decision and its audit row stay, the words go."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=LICENCE_MESSAGE_DAYS)
    closed = Q(status=SubmissionStatus.REJECTED, decided_at__lt=cutoff) | Q(
        _superseded_before(cutoff), status=SubmissionStatus.SUPERSEDED
    )
    with transaction.atomic():
        # The columns hold ciphertext, so "not yet cleared" is a length test, not a comparison.
        cleared = (
            LicenceSubmission.objects.alias(reason_length=Length("reason"), reply_length=Length("member_reply"))
            .filter(closed)
            .filter(Q(reason_length__gt=0) | Q(reply_length__gt=0))
            .update(reason="", member_reply="")
        )
        _record("licence_messages", cleared)
    return cleared


def licence_documents_delete(*, now: dt.datetime | None = None) -> int:
    """Delete the documents of closed submissions 90 days after they closed.

    The rows keep their decision; the files go after commit, so a rolled-back run never leaves
    a row pointing at a deleted file.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=LICENCE_DOCUMENT_DAYS)
    closed = (
        Q(status__in=[SubmissionStatus.VERIFIED, SubmissionStatus.REJECTED], decided_at__lt=cutoff)
        | Q(status=SubmissionStatus.EXPIRED, expires_on__lt=cutoff.date())
        | Q(_superseded_before(cutoff), status=SubmissionStatus.SUPERSEDED)
    )
    with transaction.atomic():
        expired = dict(
            LicenceSubmission.objects.select_for_update()
            .filter(closed)
            .exclude(document_path="")
            .values_list("pk", "document_path")
        )
        LicenceSubmission.objects.filter(pk__in=expired).update(
            document_path="", document_content_type="", document_size=0
        )
        paths = list(expired.values())
        for path in paths:
            transaction.on_commit(partial(delete_stored, path))
        _record("licence_documents", len(paths))
    return len(paths)


def contact_messages_purge(*, now: dt.datetime | None = None) -> int:
    """Contact messages 180 days after staff handled them (unhandled ones wait for staff)."""
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _ = ContactMessage.objects.filter(
            handled_at__lt=now - dt.timedelta(days=CONTACT_MESSAGE_HANDLED_DAYS)
        ).delete()
        _record("contact_messages", deleted)
    return deleted


def sessions_clear(*, now: dt.datetime | None = None) -> int:
    """What `manage.py clearsessions` does, as a scheduled job (expired sessions)."""
    now = now or timezone.now()
    expired = Session.objects.filter(expire_date__lt=now).count()
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return expired


def task_results_purge(*, now: dt.datetime | None = None) -> int:
    """Finished task results after 14 days (ready and running ones are the worker's business)."""
    now = now or timezone.now()
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - dt.timedelta(days=TASK_RESULT_DAYS),
    ).delete()
    return deleted


def scheduled_runs_purge(*, now: dt.datetime | None = None) -> int:
    """Scheduler run records after 30 days: a slot that old is never due again."""
    now = now or timezone.now()
    deleted, _ = ScheduledRun.objects.filter(slot__lt=now - dt.timedelta(days=SCHEDULED_RUN_DAYS)).delete()
    return deleted


def audit_purge_expired() -> int:
    """Delete audit rows older than six years: the one deliberate exception to append-only.

    The model and queryset refuse every delete; this is the only code that goes around them, and
    on PostgreSQL the database trigger still limits it to rows past the retention period.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The trigger lets a DELETE through only with this setting *and* for a row past the
            # retention period, so even this statement cannot reach a younger row. It is set
            # local to the transaction and switched off again at once, in case the caller's
            # transaction goes on to do more.
            cursor.execute("SELECT set_config('peerhaven.retention', 'on', true)")
        cursor.execute(_AUDIT_PURGE_SQL[connection.vendor])
        deleted = max(cursor.rowcount, 0)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('peerhaven.retention', 'off', true)")
        _record("audit", deleted)
    return deleted


@task()
def purge_notifications() -> int:
    return notifications_purge()


@task()
def clear_licence_messages() -> int:
    return licence_messages_clear()


@task()
def delete_licence_documents() -> int:
    return licence_documents_delete()


@task()
def purge_contact_messages() -> int:
    return contact_messages_purge()


@task()
def clear_expired_sessions() -> int:
    return sessions_clear()


@task()
def purge_task_results() -> int:
    return task_results_purge()


@task()
def purge_scheduled_runs() -> int:
    return scheduled_runs_purge()


@task()
def purge_expired_audit_rows() -> int:
    return audit_purge_expired()


# Added to peerhaven.core.tasks.SCHEDULE: (job name, how often, task).
RETENTION_SCHEDULE: list[tuple[str, str, Any]] = [
    ("core.retention.notifications", "daily", purge_notifications),
    ("core.retention.licence_messages", "daily", clear_licence_messages),
    ("core.retention.licence_documents", "daily", delete_licence_documents),
    ("core.retention.contact_messages", "daily", purge_contact_messages),
    ("core.retention.sessions", "daily", clear_expired_sessions),
    ("core.retention.task_results", "daily", purge_task_results),
    ("core.retention.scheduled_runs", "daily", purge_scheduled_runs),
    ("core.retention.audit", "daily", purge_expired_audit_rows),
]
