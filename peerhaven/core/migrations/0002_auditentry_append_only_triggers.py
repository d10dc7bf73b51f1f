"""Database triggers that keep core_auditentry append-only even for raw SQL.

PostgreSQL rejects UPDATE and DELETE of any row. TRUNCATE is not a row event, so `flush` (which
the test runner uses between transactional tests) still works; in production the application's
role should not own the table, so it cannot TRUNCATE it either.

SQLite rejects UPDATE only: Django flushes SQLite with `DELETE FROM`, which a DELETE trigger
would break. The model and its queryset refuse deletes on every database. A later migration that
alters this table makes SQLite rebuild it, which drops the trigger: such a migration must create
it again (test_audit checks that it exists).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRESQL_CREATE = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    """
    CREATE TRIGGER core_auditentry_append_only
        BEFORE UPDATE OR DELETE ON core_auditentry
        FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]
SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update
        BEFORE UPDATE ON core_auditentry
        BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS core_auditentry_no_update"]


def _run(statements: dict[str, list[str]], schema_editor: Any) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        # params=None: run the text as written (the PL/pgSQL body contains a literal %).
        schema_editor.execute(statement, params=None)


def create_triggers(apps: Any, schema_editor: Any) -> None:
    _run({"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE}, schema_editor)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    _run({"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
