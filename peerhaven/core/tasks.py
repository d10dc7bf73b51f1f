"""Core's background tasks: the worker heartbeat that /healthz reads.

The scheduler queues `worker_heartbeat` every minute and a worker runs it, so a fresh
WorkerHeartbeat row proves that both the scheduler and a worker are alive.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from peerhaven.core.models import WorkerHeartbeat
from peerhaven.core.retention import RETENTION_SCHEDULE

HEARTBEAT_NAME = "worker"


@task()
def worker_heartbeat() -> None:
    # update_or_create on the unique name: one row, however many workers beat.
    WorkerHeartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"beat_at": timezone.now()})


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE = [("core.worker_heartbeat", "minute", worker_heartbeat), *RETENTION_SCHEDULE]
