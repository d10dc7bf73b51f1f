"""The one scheduler: collects each app's `SCHEDULE` and queues every due run exactly once.

A due run is a `ScheduledRun(job, slot)` row whose (job, slot) pair is unique, so a second
scheduler started by mistake (or a restart inside the same minute) finds the row taken and
queues nothing. The row and the queued task are written in one transaction: either both
exist or neither, and a failed enqueue is retried on the next tick.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import (
    IntegrityError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_tasks.base import Task

from peerhaven.core.models import ScheduledRun

logger = logging.getLogger("peerhaven.scheduler")

Every = Literal["minute", "hourly", "daily"]
EVERY_CHOICES: tuple[str, ...] = get_args(Every)
DEFAULT_INTERVAL_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    name: str
    every: Every
    task: Task[[], Any]


def collect_jobs() -> list[Job]:
    """Every job listed in a `SCHEDULE` of an installed peerhaven app's tasks.py."""
    jobs: list[Job] = []
    seen: set[str] = set()
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("peerhaven."):
            continue
        # module_has_submodule first, so an ImportError *inside* a tasks.py still surfaces.
        if not module_has_submodule(app_config.module, "tasks"):
            continue
        module = importlib.import_module(f"{app_config.name}.tasks")
        for entry in getattr(module, "SCHEDULE", ()):
            job = _job_from_entry(entry, module_name=module.__name__)
            if job.name in seen:
                raise ImproperlyConfigured(f"Scheduled job {job.name!r} is listed twice.")
            seen.add(job.name)
            jobs.append(job)
    return jobs


def _job_from_entry(entry: Any, *, module_name: str) -> Job:
    try:
        name, every, job_task = entry
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{module_name}.SCHEDULE entries are (name, every, task) tuples.") from exc
    if not isinstance(name, str) or not name or len(name) > ScheduledRun._meta.get_field("job").max_length:  # type: ignore[operator]
        raise ImproperlyConfigured(f"{module_name}.SCHEDULE: bad job name {name!r}.")
    if every not in EVERY_CHOICES:
        raise ImproperlyConfigured(f"{module_name}.SCHEDULE: {name} runs every {every!r}; use one of {EVERY_CHOICES}.")
    if not isinstance(job_task, Task):
        raise ImproperlyConfigured(f"{module_name}.SCHEDULE: {name} is not a django-tasks Task.")
    return Job(name=name, every=every, task=job_task)


def slot_start(every: Every, now: dt.datetime) -> dt.datetime:
    """The start of the minute, hour or day (in UTC) that `now` falls in."""
    if timezone.is_naive(now):
        raise ValueError("The scheduler works with aware datetimes only.")
    utc_now = now.astimezone(dt.UTC)
    if every == "minute":
        return utc_now.replace(second=0, microsecond=0)
    if every == "hourly":
        return utc_now.replace(minute=0, second=0, microsecond=0)
    return utc_now.replace(hour=0, minute=0, second=0, microsecond=0)


def run_due_jobs(*, now: dt.datetime | None = None, jobs: Sequence[Job] | None = None) -> list[str]:
    """Queue each job whose current slot has no run yet. Returns the names of the jobs queued."""
    now = now or timezone.now()
    queued: list[str] = []
    for job in collect_jobs() if jobs is None else jobs:
        slot = slot_start(job.every, now)
        try:
            # The savepoint keeps a lost race from poisoning an outer transaction; on
            # PostgreSQL the loser blocks on the unique index until the winner commits.
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler (or an earlier tick) owns this slot
        logger.info("scheduler queued %s", job.name)
        queued.append(job.name)
    return queued


class SchedulerLoop:
    """Ticks `run_due_jobs` every `interval` seconds until `stop()`; the first tick is immediate."""

    def __init__(self, *, interval: float = DEFAULT_INTERVAL_SECONDS, jobs: Iterable[Job] | None = None) -> None:
        self.interval = interval
        self.jobs = list(jobs) if jobs is not None else None
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def tick(self) -> list[str]:
        close_old_connections()
        try:
            return run_due_jobs(jobs=self.jobs)
        except OperationalError as exc:
            # A locked SQLite file or a dropped connection: the slot is still free, so the
            # next tick retries it. Only the exception class is logged (no query text).
            logger.warning("scheduler tick failed (%s); retrying", type(exc).__name__)
            return []
        finally:
            close_old_connections()

    def run(self) -> None:
        logger.info("scheduler started: %s", ", ".join(job.name for job in (self.jobs or collect_jobs())))
        try:
            while not self._stop.is_set():
                self.tick()
                self._stop.wait(self.interval)
        finally:
            # Connections are per thread; this loop may run in a background thread of `serve`.
            connections.close_all()
            logger.info("scheduler stopped")
