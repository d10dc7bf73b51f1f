"""Licence verification's scheduled work: expiring lapsed licences and the 30-day reminder."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from peerhaven.verification.services import licence_expire_lapsed, licence_send_expiry_reminders


@task()
def expire_lapsed_licences() -> int:
    return licence_expire_lapsed()


@task()
def send_licence_expiry_reminders() -> int:
    return licence_send_expiry_reminders()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [
    ("verification.expire_lapsed_licences", "daily", expire_lapsed_licences),
    ("verification.send_licence_expiry_reminders", "daily", send_licence_expiry_reminders),
]
