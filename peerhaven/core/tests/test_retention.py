"""Retention jobs: each deletes what is past its period and keeps what is not (time-machine moves
the clock), the schedule registers each one daily, and the audit log stays append-only except
for the one deliberate purge of rows older than six years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core import retention
from peerhaven.core.audit import audit_log
from peerhaven.core.models import AppendOnlyError, AuditEntry, ContactMessage, ScheduledRun
from peerhaven.core.scheduler import collect_jobs
from peerhaven.notifications.models import Notification
from peerhaven.verification.documents import CheckedDocument, store_encrypted
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path, STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }):
        yield tmp_path


def test_it_schedules_every_retention_job_daily() -> None:
    jobs = {job.name: job for job in collect_jobs()}

    for name, every, task in retention.RETENTION_SCHEDULE:
        assert jobs[name].every == every == "daily"
        assert jobs[name].task is task


def test_it_deletes_read_notifications_after_90_days_and_all_after_365() -> None:
    member = make_member()
    with time_machine.travel(START, tick=False):
        read_old = Notification.objects.create(user=member, kind="licence.verified", read_at=timezone.now())
        unread_old = Notification.objects.create(user=member, kind="licence.verified")
    with time_machine.travel(START + dt.timedelta(days=300), tick=False):
        read_recent = Notification.objects.create(user=member, kind="licence.verified", read_at=timezone.now())
    with time_machine.travel(START + dt.timedelta(days=360), tick=False):
        retention.purge_notifications.enqueue()
        assert set(Notification.objects.all()) == {unread_old, read_recent}
    with time_machine.travel(START + dt.timedelta(days=366), tick=False):
        retention.purge_notifications.enqueue()
        assert set(Notification.objects.all()) == {read_recent}
    assert not Notification.objects.filter(pk=read_old.pk).exists()
    assert AuditEntry.objects.filter(action="retention.notifications").count() == 2


def _submission(member: User, *, status: str, created: dt.datetime, decided: dt.datetime | None, **fields: object) -> LicenceSubmission:
    with time_machine.travel(created, tick=False):
        return LicenceSubmission.objects.create(
            member=member, licence_type="counsellor", number="LPC-1", jurisdiction="Oregon",
            expires_on=(created + dt.timedelta(days=500)).date(), status=status, decided_at=decided, **fields,
        )


def test_it_clears_messages_of_rejected_and_superseded_submissions_after_a_year() -> None:
    member, other = make_member(), make_member()
    rejected_old = _submission(member, status=SubmissionStatus.REJECTED, created=START, decided=START, reason="Blurred scan")
    superseded_old = _submission(
        member, status=SubmissionStatus.SUPERSEDED, created=START, decided=START, reason="Which state?", member_reply="Oregon"
    )
    _submission(member, status=SubmissionStatus.PENDING, created=START + dt.timedelta(days=1), decided=None)
    later = START + dt.timedelta(days=200)
    rejected_recent = _submission(other, status=SubmissionStatus.REJECTED, created=later, decided=later, reason="Expired")
    verified_old = _submission(other, status=SubmissionStatus.VERIFIED, created=START, decided=START, reason="")

    with time_machine.travel(START + dt.timedelta(days=370), tick=False):
        retention.clear_licence_messages.enqueue()
        retention.clear_licence_messages.enqueue()

    rejected_old.refresh_from_db()
    superseded_old.refresh_from_db()
    rejected_recent.refresh_from_db()
    assert (rejected_old.reason, rejected_old.member_reply) == ("", "")
    assert (superseded_old.reason, superseded_old.member_reply) == ("", "")
    assert rejected_old.status == SubmissionStatus.REJECTED and rejected_old.decided_at == START
    assert rejected_recent.reason == "Expired"
    verified_old.refresh_from_db()
    # Idempotent: the second run found nothing left to clear, so wrote no second audit row.
    assert list(AuditEntry.objects.filter(action="retention.licence_messages").values_list("data", flat=True)) == [
        {"count": 2}
    ]


def _document() -> str:
    return store_encrypted(CheckedDocument(content=b"%PDF-1.4 licence", content_type="application/pdf"))


def test_it_deletes_documents_of_closed_submissions_after_90_days_once_committed(
    media_root: Path, django_capture_on_commit_callbacks: object
) -> None:
    member, other = make_member(), make_member()
    pdf = {"document_content_type": "application/pdf", "document_size": 16}
    old_paths = [_document(), _document(), _document()]
    decided_old = _submission(
        member, status=SubmissionStatus.VERIFIED, created=START, decided=START, document_path=old_paths[0], **pdf
    )
    superseded_old = _submission(
        other, status=SubmissionStatus.SUPERSEDED, created=START, decided=None, document_path=old_paths[1], **pdf
    )
    _submission(other, status=SubmissionStatus.PENDING, created=START + dt.timedelta(days=5), decided=None)
    open_old = _submission(member, status=SubmissionStatus.PENDING, created=START, decided=None, document_path=old_paths[2], **pdf)
    recent_path = _document()
    decided_recent = _submission(
        member, status=SubmissionStatus.REJECTED, created=START + dt.timedelta(days=60),
        decided=START + dt.timedelta(days=60), document_path=recent_path, **pdf,
    )

    with time_machine.travel(START + dt.timedelta(days=100), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
            retention.delete_licence_documents.enqueue()
        # The files are still there until the transaction commits.
        assert (media_root / old_paths[0]).exists()
        for callback in callbacks:
            callback()

    assert not (media_root / old_paths[0]).exists() and not (media_root / old_paths[1]).exists()
    assert (media_root / old_paths[2]).exists() and (media_root / recent_path).exists()
    for submission in (decided_old, superseded_old):
        submission.refresh_from_db()
        assert (submission.document_path, submission.document_content_type, submission.document_size) == ("", "", 0)
    open_old.refresh_from_db()
    decided_recent.refresh_from_db()
    assert open_old.document_path == old_paths[2] and decided_recent.document_path == recent_path


def test_it_deletes_contact_messages_180_days_after_they_were_handled() -> None:
    handled_old = ContactMessage.objects.create(email="a@example.org", subject="Hi", message="Question", handled_at=START)
    unhandled_old = ContactMessage.objects.create(email="b@example.org", subject="Hi", message="Question")
    handled_recent = ContactMessage.objects.create(
        email="c@example.org", subject="Hi", message="Question", handled_at=START + dt.timedelta(days=100)
    )

    with time_machine.travel(START + dt.timedelta(days=181), tick=False):
        retention.purge_contact_messages.enqueue()

    assert set(ContactMessage.objects.all()) == {unhandled_old, handled_recent}
    assert not ContactMessage.objects.filter(pk=handled_old.pk).exists()


def test_it_clears_expired_sessions() -> None:
    with time_machine.travel(START, tick=False):
        old = SessionStore()
        old.set_expiry(60)
        old.create()
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        current = SessionStore()
        current.set_expiry(3600)
        current.create()
        retention.clear_expired_sessions.enqueue()

    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]


def test_it_deletes_finished_task_results_after_14_days() -> None:
    def result(status: str, finished: dt.datetime | None) -> DBTaskResult:
        return DBTaskResult.objects.create(
            status=status, finished_at=finished, args_kwargs={"args": [], "kwargs": {}},
            task_path="peerhaven.core.tasks.worker_heartbeat", backend_name="default", run_after=START,
        )

    finished_old = result(TaskResultStatus.SUCCESSFUL, START)
    failed_old = result(TaskResultStatus.FAILED, START)
    ready_old = result(TaskResultStatus.READY, None)
    finished_recent = result(TaskResultStatus.SUCCESSFUL, START + dt.timedelta(days=10))

    with time_machine.travel(START + dt.timedelta(days=15), tick=False):
        deleted = retention.task_results_purge()

    assert deleted == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {ready_old.pk, finished_recent.pk}
    assert not DBTaskResult.objects.filter(pk__in=[finished_old.pk, failed_old.pk]).exists()


def test_it_deletes_scheduler_runs_after_30_days() -> None:
    ScheduledRun.objects.create(job="core.worker_heartbeat", slot=START)
    recent = ScheduledRun.objects.create(job="core.worker_heartbeat", slot=START + dt.timedelta(days=20))

    with time_machine.travel(START + dt.timedelta(days=31), tick=False):
        retention.purge_scheduled_runs.enqueue()

    assert list(ScheduledRun.objects.all()) == [recent]


def _audit_at(moment: dt.datetime, action: str) -> AuditEntry:
    with time_machine.travel(moment, tick=False):
        return audit_log(action)


def test_it_purges_audit_rows_older_than_six_years_only() -> None:
    # The purge uses the database's clock (the trigger does too), so the rows are dated back
    # from the real present rather than the clock moved forward.
    now = timezone.now()
    _audit_at(now - dt.timedelta(days=6 * 365 + 10), "old.enough")
    kept_five = _audit_at(now - dt.timedelta(days=5 * 365), "five.years")
    kept_recent = audit_log("recent")

    retention.purge_expired_audit_rows.enqueue()

    remaining = set(AuditEntry.objects.values_list("action", flat=True))
    assert remaining == {kept_five.action, kept_recent.action, "retention.audit"}
    assert AuditEntry.objects.get(action="retention.audit").data == {"count": 1}


def test_it_still_refuses_ordinary_deletes_of_audit_rows() -> None:
    old = _audit_at(timezone.now() - dt.timedelta(days=7 * 365), "old")

    with pytest.raises(AppendOnlyError):
        old.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=old.pk).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's (see migration 0003)")
def test_it_refuses_raw_deletes_unless_retention_is_on_and_the_row_is_old() -> None:
    old = _audit_at(timezone.now() - dt.timedelta(days=7 * 365), "old")
    recent = audit_log("recent")

    # An old row without the retention setting: refused.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [old.pk])
    # A recent row even with the setting: refused.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('peerhaven.retention', 'on', true)")
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [recent.pk])
    # An UPDATE of an old row with the setting: refused.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('peerhaven.retention', 'on', true)")
        cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [old.pk])
    # The setting is transaction-local: it does not outlive the purge's transaction.
    retention.audit_purge_expired()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('peerhaven.retention', true)")
        assert cursor.fetchone() in ((None,), ("",), ("off",))
    assert set(AuditEntry.objects.values_list("pk", flat=True)) >= {recent.pk}
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
