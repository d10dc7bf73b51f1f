"""Let the retention job, and only it, delete audit rows older than six years on PostgreSQL.

The trigger function of 0002 is replaced by one that still refuses every UPDATE and every
DELETE, except a DELETE of a row whose `at` is more than six years before the transaction's
start in a transaction that ran `SET LOCAL peerhaven.retention = 'on'`. Only
`peerhaven.core.retention.audit_purge_expired` does that. The trigger itself is unchanged.

SQLite keeps 0002's UPDATE-only trigger: Django flushes SQLite with `DELETE FROM`, which any
DELETE trigger would break (see docs/decisions/0006-audit-retention-and-backups.md); there the model and
queryset refuse deletes and the retention function is the one raw, age-bounded DELETE.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRESQL_RETENTION_FUNCTION = """
    CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('peerhaven.retention', true) = 'on'
           AND OLD.at < now() - interval '6 years' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
"""
POSTGRESQL_ORIGINAL_FUNCTION = """
    CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
"""


def _replace(statement: str, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # params=None: run the text as written (the PL/pgSQL body contains a literal %).
        schema_editor.execute(statement, params=None)


def allow_retention(apps: Any, schema_editor: Any) -> None:
    _replace(POSTGRESQL_RETENTION_FUNCTION, schema_editor)


def refuse_all(apps: Any, schema_editor: Any) -> None:
    _replace(POSTGRESQL_ORIGINAL_FUNCTION, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditentry_append_only_triggers")]

    operations = [migrations.RunPython(allow_retention, refuse_all)]
