"""Reads owned by core: the audit log viewer."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from peerhaven.accounts.models import User
from peerhaven.core.models import AuditEntry


def audit_entries(
    *, action: str = "", actor_id: int | None = None, target_type: str = "",
    since: date | None = None, until: date | None = None,
) -> QuerySet[AuditEntry]:
    # actor_is_member is false for an actor id whose account was erased (row deleted, or kept
    # only as an anonymised tombstone): the viewer shows "former member" for it. A correlated
    # subquery keeps the page at one query however many actors it shows.
    live_members = User.objects.filter(pk=OuterRef("actor_id"), erased_at__isnull=True)
    entries = AuditEntry.objects.annotate(actor_is_member=Exists(live_members))
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
