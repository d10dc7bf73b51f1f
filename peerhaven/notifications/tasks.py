"""Background work for notifications: sending the e-mail after the event has committed."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from peerhaven.notifications.services import notification_email_send


@task()
def send_notification_email(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


# No periodic jobs yet: the scheduler reads (job_name, "minute"|"hourly"|"daily", task) here.
SCHEDULE: list[tuple[str, str, Any]] = []
