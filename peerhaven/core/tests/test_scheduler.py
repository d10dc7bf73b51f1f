"""The scheduler queues each job once per (job, slot), however many schedulers run."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from peerhaven.core.models import ScheduledRun, WorkerHeartbeat
from peerhaven.core.scheduler import Job, _job_from_entry, collect_jobs, run_due_jobs, slot_start
from peerhaven.core.tasks import worker_heartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NOW = dt.datetime(2026, 3, 29, 0, 59, 42, 123456, tzinfo=dt.UTC)
HEARTBEAT = Job(name="core.worker_heartbeat", every="minute", task=worker_heartbeat)


def test_it_collects_core_heartbeat_job() -> None:
    jobs = {job.name: job for job in collect_jobs()}

    assert jobs["core.worker_heartbeat"].every == "minute"
    assert jobs["core.worker_heartbeat"].task is worker_heartbeat


@pytest.mark.parametrize(
    "entry",
    [("core.x", "weekly", worker_heartbeat), ("", "minute", worker_heartbeat), ("core.x", "minute", print), ("core.x",)],
)
def test_it_rejects_malformed_schedule_entries(entry: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        _job_from_entry(entry, module_name="peerhaven.example.tasks")


def test_it_computes_slots_in_utc() -> None:
    # 02:59:42 in Berlin on the night the clocks go forward is 00:59:42 UTC.
    berlin = NOW.astimezone(dt.timezone(dt.timedelta(hours=2)))

    assert slot_start("minute", berlin) == dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)
    assert slot_start("hourly", berlin) == dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC)
    assert slot_start("daily", berlin) == dt.datetime(2026, 3, 29, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        slot_start("minute", NOW.replace(tzinfo=None))


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_it_queues_a_job_once_per_slot() -> None:
    assert run_due_jobs(now=NOW, jobs=[HEARTBEAT]) == ["core.worker_heartbeat"]
    # A second scheduler (or the next tick) in the same minute finds the slot taken.
    assert run_due_jobs(now=NOW + dt.timedelta(seconds=10), jobs=[HEARTBEAT]) == []

    run = ScheduledRun.objects.get()
    assert (run.job, run.slot) == ("core.worker_heartbeat", NOW.replace(second=0, microsecond=0))
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "peerhaven.core.tasks.worker_heartbeat"
    assert run.task_result_id == str(queued.id)


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_it_queues_again_in_the_next_slot() -> None:
    run_due_jobs(now=NOW, jobs=[HEARTBEAT])
    run_due_jobs(now=NOW + dt.timedelta(minutes=1), jobs=[HEARTBEAT])

    assert ScheduledRun.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_it_keeps_an_outer_transaction_usable_after_losing_the_race() -> None:
    from django.db import transaction

    ScheduledRun.objects.create(job="core.worker_heartbeat", slot=NOW.replace(second=0, microsecond=0))
    with transaction.atomic():
        assert run_due_jobs(now=NOW, jobs=[HEARTBEAT]) == []
        # The savepoint rolled back only the failed insert.
        assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DB_TASKS)
def test_it_queues_once_when_two_schedulers_race() -> None:
    if connection.vendor != "postgresql":
        # SQLite serialises writers (IMMEDIATE transactions): two schedulers run in sequence.
        results = [run_due_jobs(now=NOW, jobs=[HEARTBEAT]), run_due_jobs(now=NOW, jobs=[HEARTBEAT])]
    else:
        barrier = threading.Barrier(2)
        results = []
        lock = threading.Lock()

        def scheduler() -> None:
            try:
                barrier.wait(timeout=10)
                queued = run_due_jobs(now=NOW, jobs=[HEARTBEAT])
                with lock:
                    results.append(queued)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(results) == [[], ["core.worker_heartbeat"]]
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_it_beats_when_the_heartbeat_task_runs(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    worker_heartbeat.call()
    time_machine.move_to(NOW + dt.timedelta(minutes=1), tick=False)
    worker_heartbeat.call()

    beat = WorkerHeartbeat.objects.get()
    assert (beat.name, beat.beat_at) == ("worker", NOW + dt.timedelta(minutes=1))


@pytest.mark.django_db
def test_it_runs_one_tick_from_the_command(capsys: Any, time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    # Tests use the immediate backend, so the queued heartbeat has already run.
    call_command("scheduler", "--once")
    call_command("scheduler", "--once")

    out = capsys.readouterr().out
    assert "queued: " in out and "core.worker_heartbeat" in out
    assert out.count("core.worker_heartbeat") == 1
    assert WorkerHeartbeat.objects.filter(name="worker").exists()
