"""Copying the configured database out to a file and back: pg_dump / pg_restore for PostgreSQL,
SQLite's online backup API for SQLite. Both give a consistent copy while the app keeps running."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from peerhaven.core.models import AuditEntry

DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


def vendor() -> str:
    return str(connection.vendor)


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq variables for the client tools: the password travels in the environment, never on
    a command line that `ps` would show to other users of the machine."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
        ("PGSSLMODE", options.get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client-15).")
    return path


def _run_tool(command: list[str], env: dict[str, str]) -> None:
    # The command is an installed tool's absolute path and fixed arguments, no shell.
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        # The tools' messages name objects and connection problems, never row contents.
        raise CommandError(f"{Path(command[0]).name} failed:\n{completed.stderr.strip()}")


def dump_database(target: Path) -> None:
    """Write a consistent copy of the configured database to `target`."""
    if vendor() == "postgresql":
        env = _pg_environment(connection.settings_dict)
        # Custom format: compressed, and pg_restore can reorder and --clean it.
        _run_tool([_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"], env)
        return
    if connection.in_atomic_block:
        # SQLite's backup waits for the source's write lock to clear, and a lock held by this
        # very connection never would: the command would hang instead of failing.
        raise CommandError("A SQLite backup cannot run inside a transaction.")
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # Page by page under SQLite's own locking: a consistent snapshot while others write.
        connection.connection.backup(destination)
    finally:
        destination.close()


def restore_database(source: Path) -> None:
    """Replace the configured database's contents with the dump at `source`."""
    connection.close()
    if vendor() == "postgresql":
        env = _pg_environment(connection.settings_dict)
        _run_tool(
            [
                _pg_tool("pg_restore"),
                # Drop each object before recreating it, so a restore over an older copy (or an
                # emptied schema) ends up exactly as dumped, triggers included; IF EXISTS keeps
                # an empty database from erroring on the drops.
                "--clean",
                "--if-exists",
                # Ownership and grants belong to the target server's roles, not the source's.
                "--no-owner",
                "--no-acl",
                # All or nothing: a failed restore leaves the database as it was.
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
                str(source),
            ],
            env,
        )
        return
    target = Path(str(connection.settings_dict["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    dump = sqlite3.connect(source)
    destination = sqlite3.connect(target, timeout=20)
    try:
        # The backup API writes the pages under the destination's own lock and journal (WAL
        # included), where swapping the file underneath would orphan its -wal and -shm files.
        dump.backup(destination)
    finally:
        destination.close()
        dump.close()


def migration_state() -> dict[str, list[str]]:
    """Applied migrations per app, as the manifest records them."""
    applied: dict[str, list[str]] = defaultdict(list)
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied[app_label].append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def unknown_migrations(state: dict[str, list[str]]) -> list[str]:
    """Migrations recorded in an archive that this release's code does not have."""
    known = known_migrations()
    return sorted(
        f"{app_label}.{name}" for app_label, names in state.items() for name in names if (app_label, name) not in known
    )


def holds_data() -> bool:
    """Whether the configured database already has members or audit rows.

    A freshly migrated database has only what migrations put there (content types,
    permissions); members are where every other row hangs from, and the audit log is what must
    never be overwritten by mistake.
    """
    connection.ensure_connection()
    tables = set(connection.introspection.table_names())
    for model in (get_user_model(), AuditEntry):
        if model._meta.db_table in tables and model._default_manager.exists():
            return True
    return False


def database_label() -> str:
    name = connection.settings_dict["NAME"]
    return str(name) if vendor() == "sqlite" else f"PostgreSQL database {name!r}"


def private_media_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this release's code has (the count an up-to-date backup records)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
