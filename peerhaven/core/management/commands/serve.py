"""`manage.py serve`: web + websockets (daphne) and, on the embedded default, the task worker
and the scheduler in background threads of the same process.

Same process matters on the embedded default: the in-memory channel layer only reaches
sockets held by this process, so a task that pushes an event must run here. With REDIS_URL
set the layer is shared, and the worker and scheduler run as their own processes.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time
from argparse import ArgumentParser
from collections.abc import Iterable
from types import FrameType
from typing import Any

# The "daphne" app imports daphne.server during setup, which installs Twisted's asyncio
# reactor before anything else can import a different one.
import daphne.server
from channels.routing import get_default_application
from daphne.access import AccessLogGenerator
from daphne.endpoints import build_endpoint_description_strings
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from peerhaven.accounts.models import User
from peerhaven.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_logins
from peerhaven.core.scheduler import Job, SchedulerLoop

logger = logging.getLogger("peerhaven.serve")

WORKER_INTERVAL_SECONDS = 1.0
SCHEDULER_INTERVAL_SECONDS = 5.0


class BackgroundServices:
    """The task worker and the scheduler as daemon threads, stopped together.

    The db_worker command installs signal handlers before calling `Worker.run`; `run` itself
    does not, so it is safe in a thread. The main thread (daphne's reactor) keeps the signals,
    and `stop()` ends both loops through their flags instead.
    """

    def __init__(
        self,
        *,
        worker_interval: float = WORKER_INTERVAL_SECONDS,
        scheduler_interval: float = SCHEDULER_INTERVAL_SECONDS,
        backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
        jobs: Iterable[Job] | None = None,
    ) -> None:
        if not isinstance(task_backends[backend_name], DatabaseBackend):
            raise CommandError(f"The embedded worker needs the database task backend for {backend_name!r}.")
        self.worker = Worker(
            # The only worker on the embedded default, so it serves every queue.
            queue_names=["*"],
            interval=worker_interval,
            batch=False,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"embedded-{get_random_string(16)}",
            excluded_queue_names=[],
        )
        self.scheduler = SchedulerLoop(interval=scheduler_interval, jobs=jobs)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [
            threading.Thread(target=self._run_worker, name="peerhaven-worker", daemon=True),
            threading.Thread(target=self.scheduler.run, name="peerhaven-scheduler", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _run_worker(self) -> None:
        try:
            while self.worker.running:
                try:
                    self.worker.run()
                except OperationalError as exc:
                    # SQLite busy beyond its timeout, or a dropped connection: wait, then go on
                    # (the worker would otherwise die silently inside its thread).
                    logger.warning("worker loop failed (%s); restarting", type(exc).__name__)
                    time.sleep(self.worker.interval)
        finally:
            connections.close_all()

    def stop(self, *, timeout: float = 10.0) -> bool:
        """Ask both loops to finish; True when they did within `timeout` seconds."""
        # A task already running completes; the worker checks its flag between tasks.
        self.worker.running = False
        self.scheduler.stop()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)


def demo_login_lines() -> list[str]:
    """How to sign in to each demo account, second factor included (development only)."""
    if not User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").exists():
        return ["No demo accounts yet: run `manage.py seed_demo` for a demo community."]
    rows = demo_logins()
    role_width = max(len(role) for role, _, _ in rows)
    email_width = max(len(email) for _, email, _ in rows)
    lines = [
        f'Demo log-ins (a local demo only: the password of every account is "{DEMO_PASSWORD}").',
        "",
        f"  {'role':<{role_width}}  {'e-mail':<{email_width}}  authenticator secret",
    ]
    lines += [f"  {role:<{role_width}}  {email:<{email_width}}  {secret}" for role, email, secret in rows]
    lines += [
        "",
        "Second factor: run `PEERHAVEN_DEBUG=1 .venv/bin/python manage.py demo_totp <email>` for the current code,",
        "or add the account's secret above to an authenticator app (TOTP, 6 digits, 30 s).",
        "Verifier and staff tools need a session signed in with a passkey: on the first visit",
        "they ask you to add one (your browser's built-in passkey manager or a security key);",
        "sign out and back in with that passkey, and the tools open.",
    ]
    return lines


class Command(BaseCommand):
    help = "Serve Peerhaven (HTTP + websockets); on the embedded default, also the worker and scheduler."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="localhost")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-background", action="store_true",
            help="Serve only; run `manage.py db_worker` and `manage.py scheduler` yourself.",
        )

    def handle(self, *args: Any, host: str, port: int, no_background: bool, verbosity: int, **options: Any) -> None:
        if settings.DEVELOPMENT:
            self.stdout.write("\n".join(demo_login_lines()) + "\n")

        services: BackgroundServices | None = None
        if settings.REDIS_URL or no_background:
            self.stdout.write(
                "The worker and the scheduler run as separate processes here: start "
                "`manage.py db_worker` and `manage.py scheduler` beside this server."
            )
        else:
            services = BackgroundServices()
            services.start()
            self.stdout.write("Task worker and scheduler: running inside this process.")

        server = daphne.server.Server(
            application=get_default_application(),
            endpoints=build_endpoint_description_strings(host=host, port=port),
            # Our own handlers (below): Twisted skips SIGINT when it was ignored at start, which
            # is the case whenever the server is launched in the background by a shell.
            signal_handlers=False,
            action_logger=AccessLogGenerator(sys.stdout) if verbosity >= 1 else None,
            verbosity=verbosity,
            ready_callable=lambda: self.stdout.write(
                f"Peerhaven is starting on http://{host}:{port}/ (Ctrl-C stops everything)."
            ),
        )
        self._install_stop_handlers(server)
        try:
            server.run()
        finally:
            if services is not None and not services.stop():
                self.stderr.write("A background task is still finishing; exiting without it.")
        if server.abort_start:
            raise CommandError(f"Could not listen on {host}:{port}.")
        self.stdout.write("Stopped.")
        # The interpreter's last collection walks every object Django, Twisted and the apps
        # created, which took seconds after Ctrl-C; by now sockets, threads and database
        # connections are closed, so nothing is left that needs collecting.
        gc.freeze()

    def _install_stop_handlers(self, server: daphne.server.Server) -> None:
        def _stop(signum: int, frame: FrameType | None) -> None:
            self.stderr.write(f"{signal.strsignal(signum)}: stopping (again to force).")
            # A second Ctrl-C or SIGTERM kills the process outright.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            daphne.server.reactor.callFromThread(server.stop)

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
