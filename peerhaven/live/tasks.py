"""Live's scheduled work: deleting meetup chat once its retention period is over."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from peerhaven.live.services import chat_purge_expired


@task()
def purge_expired_chat() -> int:
    return chat_purge_expired()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [("live.purge_expired_chat", "daily", purge_expired_chat)]
