"""forums' scheduled work: the daily job that sends community digests (daily and weekly ones,
each at most once per member per period)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def send_forum_digests() -> int:
    from peerhaven.forums.services.moderation import digests_send

    return digests_send()


@task()
def purge_stale_drafts() -> int:
    from peerhaven.forums.services.posting import drafts_purge_stale

    return drafts_purge_stale()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [
    ("forums.send_digests", "daily", send_forum_digests),
    ("forums.purge_stale_drafts", "daily", purge_stale_drafts),
]
