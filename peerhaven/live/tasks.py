"""Live's scheduled work: deleting meetup chat once its retention period is over, and the video-room
presence rows that a web node which went away left behind."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from peerhaven.live.services import chat_purge_expired, video_presence_purge_stale


@task()
def purge_expired_chat() -> int:
    return chat_purge_expired()


@task()
def purge_stale_video_presence() -> int:
    return video_presence_purge_stale()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [
    ("live.purge_expired_chat", "daily", purge_expired_chat),
    ("live.purge_stale_video_presence", "hourly", purge_stale_video_presence),
]
