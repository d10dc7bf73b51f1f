"""The restore drill: seed an instance, back it up, wipe it, restore it, and compare.

It runs `manage.py` in subprocesses against a database of its own (a temporary SQLite file, or a
dedicated PostgreSQL database when the suite runs on PostgreSQL), never the test database, so
it is the path an operator takes. Backup and restore times are printed (run with -s to see
them); docs/deployment.md quotes them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from psycopg import sql

from conftest import need_service

BASE_DIR = Path(settings.BASE_DIR)
VENDOR = "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"


@dataclass
class Instance:
    """A Peerhaven instance reachable only through `manage.py` with its own environment."""

    env: dict[str, str]
    var_dir: Path
    recreate_database: Callable[[], None]

    @property
    def media_root(self) -> Path:
        return Path(self.env["PEERHAVEN_PRIVATE_MEDIA"])

    def manage(self, *args: str) -> str:
        completed = subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed arguments
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=240, check=False,
        )
        assert completed.returncode == 0, f"manage.py {args[0]} failed:\n{completed.stdout}\n{completed.stderr}"
        return completed.stdout

    def timed(self, *args: str) -> tuple[float, str]:
        started = time.perf_counter()
        output = self.manage(*args)
        return time.perf_counter() - started, output

    def snapshot(self) -> dict[str, Any]:
        output = self.manage("shell", "-c", "from peerhaven.backups.tests.drill_data import snapshot; snapshot()")
        snapshot_line = output.strip().splitlines()[-1]
        return json.loads(snapshot_line)  # type: ignore[no-any-return]


def _base_env(var_dir: Path, database_url: str) -> dict[str, str]:
    # Nothing of the suite's own configuration leaks in, except the drill's size.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PEERHAVEN_", "DJANGO_"))}
    if "PEERHAVEN_DRILL_MEMBERS" in os.environ:
        env["PEERHAVEN_DRILL_MEMBERS"] = os.environ["PEERHAVEN_DRILL_MEMBERS"]
    env.update(
        DATABASE_URL=database_url,
        PEERHAVEN_VAR_DIR=str(var_dir),
        PEERHAVEN_PRIVATE_MEDIA=str(var_dir / "private"),
        PEERHAVEN_DEBUG="1",
        PEERHAVEN_SECRET_KEY=Fernet.generate_key().decode() * 2,
        PEERHAVEN_FIELD_KEYS=Fernet.generate_key().decode(),
        PEERHAVEN_BACKUP_KEY=Fernet.generate_key().decode(),
        PEERHAVEN_LOG_LEVEL="WARNING",
        EMAIL_URL="locmem://",
    )
    env.pop("REDIS_URL", None)
    return env


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    var_dir = tmp_path / "var"
    if VENDOR == "sqlite":
        database = var_dir / "drill.sqlite3"

        def remove_file() -> None:
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
                path.unlink(missing_ok=True)

        yield Instance(env=_base_env(var_dir, f"sqlite:///{database}"), var_dir=var_dir, recreate_database=remove_file)
        return
    # A database of the drill's own on the same server: pg_restore --clean must never touch
    # the suite's test database.
    server = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"peerhaven_drill_{os.getpid()}"
    admin_url = f"postgresql://{server['USER']}@{server['HOST']}:{server['PORT'] or 5432}/postgres"
    try:
        admin = psycopg.connect(admin_url, password=server.get("PASSWORD") or None, autocommit=True)
    except psycopg.OperationalError:
        need_service("PostgreSQL is not reachable for the restore drill")
    with admin:

        def create_empty() -> None:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

        create_empty()
        try:
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
            yield Instance(env=_base_env(var_dir, url), var_dir=var_dir, recreate_database=create_empty)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _wipe(instance: Instance) -> None:
    """Lose everything, as a dead disk or a dropped schema would."""
    if VENDOR == "sqlite":
        instance.recreate_database()
    else:
        instance.manage("flush", "--noinput")
    for path in instance.media_root.rglob("*"):
        if path.is_file():
            path.unlink()


def test_it_backs_up_wipes_restores_and_compares(
    instance: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance.manage("migrate", "--noinput", "-v0")
    instance.manage("shell", "-c", "from peerhaven.backups.tests.drill_data import seed; seed()")
    before = instance.snapshot()
    assert before["files"] and before["documents"] and before["audit"]
    assert before["counts"]["notifications_notification"] > 0
    archive = tmp_path / "drill.phbackup"

    backup_seconds, backup_output = instance.timed("backup", "--output", str(archive))
    _wipe(instance)
    wiped = instance.snapshot() if VENDOR == "postgresql" else None
    restore_seconds, restore_output = instance.timed("restore", "--input", str(archive))
    after = instance.snapshot()

    if wiped is not None:
        assert wiped["counts"]["accounts_user"] == 0 and not wiped["files"]
    assert after["counts"] == before["counts"]
    assert after["employers"] == before["employers"]
    assert any(employer.startswith("Riverside") for employer in after["employers"])
    assert after["licence_numbers"] == before["licence_numbers"]
    assert after["documents"] == before["documents"]
    assert after["audit"] == before["audit"]
    assert after["files"] == before["files"]
    # Shown even without -s: the measured times are what docs/deployment.md quotes.
    with capsys.disabled():
        sys.stdout.write(
            f"\nrestore drill ({VENDOR}, {before['counts']['accounts_user']} members, "
            f"{sum(before['counts'].values())} rows, {archive.stat().st_size} bytes): "
            f"backup {backup_seconds:.2f} s wall [{backup_output.strip()}], "
            f"restore {restore_seconds:.2f} s wall [{restore_output.strip().splitlines()[0]}]\n"
        )


AUDIT_ACTIONS = (
    "from peerhaven.core.models import AuditEntry; import sys; "
    "sys.stdout.write(','.join(AuditEntry.objects.order_by('id').values_list('action', flat=True)) + '\\n')"
)
UPDATE_PROBE = (
    "from django.db import connection, DatabaseError\n"
    "try:\n"
    "    with connection.cursor() as cursor:\n"
    "        cursor.execute(\"UPDATE core_auditentry SET action = 'x'\")\n"
    "    print('UPDATED')\n"
    "except DatabaseError:\n"
    "    print('REFUSED')\n"
)


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_it_restores_over_live_data_and_into_a_new_database_with_the_audit_guard(
    instance: Instance, tmp_path: Path
) -> None:
    instance.manage("migrate", "--noinput", "-v0")
    instance.manage("shell", "-c", "from peerhaven.core.audit import audit_log; audit_log('drill.one')")
    archive = tmp_path / "drill.phbackup"
    instance.manage("backup", "--output", str(archive))
    instance.manage("shell", "-c", "from peerhaven.core.audit import audit_log; audit_log('after.backup')")

    # Over live data: --clean drops the audit table, its trigger and function and recreates them
    # as dumped; the row written after the backup is gone, the trigger still guards the rest.
    instance.manage("restore", "--input", str(archive), "--yes")
    assert _last_line(instance.manage("shell", "-c", AUDIT_ACTIONS)) == "drill.one"
    assert _last_line(instance.manage("shell", "-c", UPDATE_PROBE)) == "REFUSED"

    # Into a database that has never been migrated (a new server after a disaster).
    instance.recreate_database()
    instance.manage("restore", "--input", str(archive))
    assert _last_line(instance.manage("shell", "-c", AUDIT_ACTIONS)) == "drill.one"
    assert _last_line(instance.manage("shell", "-c", UPDATE_PROBE)) == "REFUSED"
    assert "No planned migration operations" in instance.manage("migrate", "--plan")
