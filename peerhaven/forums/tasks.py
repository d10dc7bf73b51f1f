"""forums' scheduled work: the daily job that sends community digests (daily and weekly ones,
each at most once per member per period)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def send_forum_digests() -> int:
    from peerhaven.forums.services.moderation import digests_send

    return digests_send()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [
    ("forums.send_digests", "daily", send_forum_digests),
]
