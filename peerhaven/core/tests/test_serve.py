"""`serve`'s background services: the worker and the scheduler threads start, beat and stop."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from peerhaven.core.management.commands.serve import BackgroundServices
from peerhaven.core.models import ScheduledRun, WorkerHeartbeat
from peerhaven.core.scheduler import Job
from peerhaven.core.tasks import worker_heartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HEARTBEAT = Job(name="core.worker_heartbeat", every="minute", task=worker_heartbeat)


def _heartbeat_seen() -> bool:
    try:
        return WorkerHeartbeat.objects.filter(name="worker").exists()
    except OperationalError as exc:
        # The in-memory SQLite test database shares one cache between threads and locks whole
        # tables without waiting (a served file uses WAL and a busy timeout): ask again.
        if "locked" in str(exc):
            return False
        raise


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DB_TASKS)
def test_it_runs_worker_and_scheduler_threads_until_stopped() -> None:
    services = BackgroundServices(worker_interval=0.1, scheduler_interval=0.2, jobs=[HEARTBEAT])
    services.start()
    try:
        deadline = time.monotonic() + 20
        # The scheduler ticks at once and queues the heartbeat; the worker thread runs it.
        while not _heartbeat_seen():
            assert services.alive, "a background thread died"
            assert time.monotonic() < deadline, "no heartbeat within 20 s"
            time.sleep(0.1)
    finally:
        started_stopping = time.monotonic()
        stopped = services.stop(timeout=10)

    assert stopped
    assert time.monotonic() - started_stopping < 3
    assert not services.alive
    assert ScheduledRun.objects.filter(job="core.worker_heartbeat").exists()
    heartbeat_run = DBTaskResult.objects.get(task_path="peerhaven.core.tasks.worker_heartbeat")
    assert heartbeat_run.status == "SUCCESSFUL"


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_it_refuses_to_embed_a_worker_without_the_database_backend() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="database task backend"):
        BackgroundServices()
