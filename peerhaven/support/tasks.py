"""support's worker tasks and schedule (shared by the booking and matching concerns: each adds
its tasks and SCHEDULE entries; edit by small additions only). Tasks are thin and take ids."""

from __future__ import annotations

from typing import Any

from django_tasks import task


# --- matching: busy times from supporters' own calendars -----------------------------------------
@task()
def refresh_calendar_feed(supporter_id: int) -> str:
    from peerhaven.support.services.matching import calendar_import_refresh

    return str(calendar_import_refresh(supporter_id=supporter_id))


@task()
def refresh_calendar_feeds() -> dict[str, int]:
    from peerhaven.support.services.matching import calendar_import_refresh_all

    return calendar_import_refresh_all()


# --- booking: session reminders (24 h and 1 h before) and expired holds -------------------------
@task()
def send_session_reminders() -> int:
    from peerhaven.support.services.booking import reminders_send

    return reminders_send()


@task()
def purge_expired_holds() -> int:
    from peerhaven.support.services.booking import holds_purge_expired

    return holds_purge_expired()


# (job name, how often, task): collected by peerhaven.core.scheduler from every app's tasks.py.
SCHEDULE: list[tuple[str, str, Any]] = [
    ("support.refresh_calendar_feeds", "hourly", refresh_calendar_feeds),
    ("support.send_session_reminders", "minute", send_session_reminders),
    ("support.purge_expired_holds", "hourly", purge_expired_holds),
]
