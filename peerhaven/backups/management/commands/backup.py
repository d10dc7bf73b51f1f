"""`manage.py backup --output FILE`: an encrypted archive of the database and private uploads."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerhaven.backups.archive import write_archive


class Command(BaseCommand):
    help = "Write an encrypted archive of the database and the private uploads (keys stay outside)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="Where to write the archive.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        size = write_archive(options["output"])
        elapsed = time.perf_counter() - started
        # Size and duration only: file names of uploads are random, but nothing more is needed
        # in a cron mail or a journal.
        self.stdout.write(f"Backup written: {size} bytes in {elapsed:.2f} s")
