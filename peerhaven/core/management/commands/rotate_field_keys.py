"""Re-encrypts every encrypted column (and encrypted file) under the newest field key.

Run after putting a new key first in PEERHAVEN_FIELD_KEYS; once it reports, the old key can be
removed. Only counts are printed: never a value, a token or a primary key.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction

from peerhaven.core.crypto import rotate_token
from peerhaven.core.fields import encrypted_fields

# Provided by the verification app: re-encrypts every stored licence document under the newest
# key (crypto.rotate_bytes) and returns how many it rewrote.
FILE_ROTATION_HOOK = "rotate_stored_documents"


def rotate_column(model: type[models.Model], field_name: str, *, batch_size: int) -> int:
    """Rotate one column, batch by batch, each batch in its own transaction.

    Raw SQL on purpose: the ORM would decrypt on read (from_db_value) and re-encrypt on write,
    which works but passes every plaintext through Python objects; rotating the token itself
    never needs the plaintext outside the cipher. Identifiers come from the model's metadata and
    are quoted by the backend; values are always bound parameters.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk_column = quote(model._meta.pk.column)
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field) and field.column
    column = quote(field.column)
    select = (
        f"SELECT {pk_column}, {column} FROM {table} "  # noqa: S608 - quoted identifiers only
        f"WHERE {pk_column} > %s AND {column} IS NOT NULL AND {column} <> '' "
        f"ORDER BY {pk_column} LIMIT %s"
    )
    update = f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s AND {column} = %s"  # noqa: S608
    rotated = 0
    last_pk: Any = _lowest_key(model)
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(select, [last_pk, batch_size])
                rows = cursor.fetchall()
                for pk, token in rows:
                    # The WHERE on the old token makes a row written meanwhile (already under
                    # the newest key) keep its newer value instead of being overwritten.
                    cursor.execute(update, [rotate_token(token), pk, token])
                    rotated += cursor.rowcount
        if len(rows) < batch_size:
            return rotated
        last_pk = rows[-1][0]


def _lowest_key(model: type[models.Model]) -> Any:
    """A value below every primary key of the model, for keyset pagination."""
    pk = model._meta.pk
    if isinstance(pk, models.AutoField | models.BigAutoField | models.IntegerField):
        return -(2**63)
    return ""


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field and file under the newest PEERHAVEN_FIELD_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise ValueError("--batch-size must be at least 1")
        total = 0
        for model, field_name in encrypted_fields():
            count = rotate_column(model, field_name, batch_size=batch_size)
            total += count
            self.stdout.write(f"{model._meta.label}.{field_name}: {count} rotated")
        files = _rotate_encrypted_files()
        if files is None:
            # Dropping the old key now would make every stored licence document unreadable.
            self.stderr.write(
                f"encrypted files NOT rotated: peerhaven.verification.documents has no "
                f"{FILE_ROTATION_HOOK}(); keep the old key until it does."
            )
        else:
            self.stdout.write(f"encrypted files: {files} rotated")
        self.stdout.write(self.style.SUCCESS(f"done: {total} values rotated"))


def _rotate_encrypted_files() -> int | None:
    """Licence documents belong to the verification app, which knows where its files live; it
    rotates them through this hook. None when the hook does not exist (yet)."""
    if importlib.util.find_spec("peerhaven.verification.documents") is None:
        return None
    documents = importlib.import_module("peerhaven.verification.documents")
    rotate_files = getattr(documents, FILE_ROTATION_HOOK, None)
    if rotate_files is None:
        return None
    return int(rotate_files())
