"""`manage.py restore --input FILE [--yes]`: put an archive's database and uploads back."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerhaven.backups import database
from peerhaven.backups.archive import ManifestError, UnpackedArchive, unpack_archive
from peerhaven.backups.encryption import ArchiveError


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup`. Stop the web, worker and scheduler "
        "processes first. Refuses a target that holds data unless --yes is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="The archive to restore.")
        parser.add_argument(
            "--yes", action="store_true",
            help="Replace the data already in the target database and private uploads.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        if not source.is_file():
            raise CommandError(f"No archive at {source}.")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="peerhaven-restore-") as workdir:
            try:
                unpacked = unpack_archive(source, Path(workdir))
            except (ArchiveError, ManifestError) as exc:
                raise CommandError(f"{exc} Nothing was changed.") from exc
            older = self._check_compatible(unpacked)
            if not options["yes"]:
                self._refuse_non_empty_target()
            database.restore_database(unpacked.dump_path)
            replaced = self._restore_media(unpacked)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Restored {database.database_label()} and {replaced} uploaded files "
            f"(backup of {unpacked.manifest['created_at']}) in {elapsed:.2f} s"
        )
        if older:
            self.stdout.write("The backup predates this release: run `manage.py migrate` next.")

    def _check_compatible(self, unpacked: UnpackedArchive) -> bool:
        archive_vendor = unpacked.manifest.get("vendor")
        if archive_vendor != database.vendor():
            raise CommandError(
                f"This archive holds a {archive_vendor} database; the configured database is "
                f"{database.vendor()}. Nothing was changed."
            )
        state: dict[str, list[str]] = unpacked.manifest.get("migrations", {})
        unknown = database.unknown_migrations(state)
        if unknown:
            raise CommandError(
                "This archive comes from a newer release (migrations unknown here: "
                f"{', '.join(unknown[:5])}). Install that release first. Nothing was changed."
            )
        recorded = {(app_label, name) for app_label, names in state.items() for name in names}
        return bool(database.known_migrations() - recorded)

    def _refuse_non_empty_target(self) -> None:
        media_root = database.private_media_root()
        has_files = media_root.is_dir() and any(path.is_file() for path in media_root.rglob("*"))
        if database.holds_data() or has_files:
            raise CommandError(
                f"{database.database_label()} or {media_root} already holds data. Restore into an "
                "empty database, or pass --yes to replace it. Nothing was changed."
            )

    def _restore_media(self, unpacked: UnpackedArchive) -> int:
        """Make PRIVATE_MEDIA_ROOT hold exactly the archive's uploads.

        Each file is written under a temporary name and renamed into place; uploads that are not
        in the archive belong to no restored row and are removed.
        """
        media_root = database.private_media_root()
        media_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        restored: set[Path] = set()
        for relative, unpacked_path in unpacked.media_files():
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            staging = target.with_name(f".{target.name}.restoring")
            shutil.copyfile(unpacked_path, staging)
            staging.chmod(0o600)
            staging.replace(target)
            restored.add(target)
        for path in sorted(media_root.rglob("*"), reverse=True):
            if path.is_file() and path not in restored:
                path.unlink()
        return len(restored)
