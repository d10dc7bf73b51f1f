"""groups' scheduled work: keeping meeting series materialised for the rolling horizon, and the
reminder a day before each meeting. Tasks are thin: the services do the work."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from peerhaven.groups.services.meetings import meeting_reminders_send, series_extend_all


@task()
def extend_meeting_horizon() -> int:
    return series_extend_all()


@task()
def send_meeting_reminders() -> int:
    return meeting_reminders_send()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [
    ("groups.extend_meeting_horizon", "daily", extend_meeting_horizon),
    ("groups.send_meeting_reminders", "hourly", send_meeting_reminders),
]
