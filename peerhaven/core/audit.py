"""Writing to the append-only audit log. Call `audit_log` from services, inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from peerhaven.core.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: the reverse proxy sets it (see docs/deployment.md); X-Forwarded-For is
    # spoofable unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None


def audit_log(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    **data: Any,
) -> AuditEntry:
    """Record `action` (a dotted code). `data` holds codes and ids only: never user content."""
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        action=action,
        actor_id=actor_id,
        actor_label="member" if actor_id else "system",
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request),
        data=data,
    )
