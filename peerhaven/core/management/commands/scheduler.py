"""`manage.py scheduler`: the one scheduler process (see peerhaven.core.scheduler)."""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from peerhaven.core.scheduler import DEFAULT_INTERVAL_SECONDS, SchedulerLoop, run_due_jobs


class Command(BaseCommand):
    help = "Queue every due scheduled job, once per (job, time slot), every few seconds."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--interval", type=float, default=DEFAULT_INTERVAL_SECONDS,
            help="Seconds between ticks (default: %(default)s).",
        )

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        if once:
            queued = run_due_jobs()
            self.stdout.write(f"queued: {', '.join(queued) or 'nothing due'}")
            return

        loop = SchedulerLoop(interval=interval)

        def _stop(signum: int, frame: FrameType | None) -> None:
            # Finish the current tick (its transaction), then leave the loop.
            self.stderr.write(f"{signal.strsignal(signum)}: stopping the scheduler")
            loop.stop()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        loop.run()
