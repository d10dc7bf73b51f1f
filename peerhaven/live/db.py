"""Trips of the websocket consumers to the database thread, keeping that thread's connection.

Channels' `database_sync_to_async` runs a call on the ASGI server's one thread for database work
and closes stale connections around it. With `CONN_MAX_AGE = 0` (the setting for the ASGI
process, see deployment.md) every connection is stale at once, so every trip opened and closed
one: a PostgreSQL log-in, or on SQLite an open with its pragmas and a close that checkpoints the
write-ahead log while holding up the event loop. A chat post paid that twice over, and the
sockets' periodic checks did too.

`database_trip` is the same call, except that the connection it finds or opens is kept for
KEEP_SECONDS and checked before reuse (as the WSGI workers keep theirs, deployment.md; see
decision 0014): one connection for the thread, not one per request thread, so the known leak of
persistent connections under ASGI (a thread per HTTP request) does not arise.
Everything else is Django's own: a connection left outside autocommit, or one that raised an
error and fails its check, is closed after the trip; an old one is closed before the next trip.
`release_connections()` closes the kept connection (tests, shutdown).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.db import close_old_connections, connections

KEEP_SECONDS = 60.0

_R = TypeVar("_R")


def _keep_connections() -> None:
    """After a trip: give each connection of this thread a life of KEEP_SECONDS from when it was
    opened (instead of CONN_MAX_AGE when that is shorter), then let Django close what is unusable
    or obsolete."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.close_at is None:
            continue
        # Django sets close_at when it connects: a value we did not set means a new connection.
        if getattr(connection, "_peerhaven_kept_until", None) != connection.close_at:
            max_age = connection.settings_dict.get("CONN_MAX_AGE") or 0
            if max_age < KEEP_SECONDS:
                connection.close_at += KEEP_SECONDS - max_age
            connection._peerhaven_kept_until = connection.close_at  # type: ignore[attr-defined]
        # A kept connection is checked before its next use (on PostgreSQL a `SELECT 1`).
        connection.health_check_enabled = True  # type: ignore[attr-defined]
        connection.close_if_unusable_or_obsolete()


class DatabaseTrip(SyncToAsync):
    """`channels.db.database_sync_to_async` with the thread's connection kept between trips."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _keep_connections()


def database_trip(func: Callable[..., _R]) -> Callable[..., Any]:
    """Wrap `func` to run on the database thread (thread-sensitive), keeping its connection."""
    return DatabaseTrip(func, thread_sensitive=True)


def _close_all() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close()


async def release_connections() -> None:
    """Close the database thread's kept connection(s) now."""
    await database_trip(_close_all)()
