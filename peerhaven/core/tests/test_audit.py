"""The audit log is append-only: in the ORM, and in the database itself for raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.audit import audit_log
from peerhaven.core.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


def test_it_records_codes_and_ids() -> None:
    member = make_member()
    entry = audit_log("test.action", actor=member, target=member, reason="code_only")

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.action == "test.action"
    assert stored.actor_id == member.pk
    assert stored.actor_label == "member"
    assert stored.target_type == "accounts.user"
    assert stored.target_id == str(member.pk)
    assert stored.data == {"reason": "code_only"}


def test_it_refuses_to_save_an_existing_entry() -> None:
    entry = audit_log("test.action")
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_it_refuses_to_delete_an_entry() -> None:
    entry = audit_log("test.action")
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_refuses_queryset_update_and_delete() -> None:
    entry = audit_log("test.action")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_it_refuses_bulk_update() -> None:
    entry = audit_log("test.action")
    entry.action = "test.rewritten"
    # bulk_update runs inside atomic(savepoint=False): give it a savepoint of its own so the
    # refusal does not poison the test's transaction.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_it_rejects_a_raw_sql_update_in_the_database() -> None:
    entry = audit_log("test.action")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.rewritten", entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite keeps row deletes possible for Django's flush (see migration 0002)",
)
def test_it_rejects_a_raw_sql_delete_in_the_database() -> None:
    entry = audit_log("test.action")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
