"""Reads owned by core: the audit log viewer."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from peerhaven.core.models import AuditEntry


def audit_entries(
    *, action: str = "", actor_id: int | None = None, target_type: str = "",
    since: date | None = None, until: date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action__startswith=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if since is not None:
        entries = entries.filter(at__date__gte=since)
    if until is not None:
        entries = entries.filter(at__date__lte=until)
    return entries
