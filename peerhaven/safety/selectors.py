"""Reads owned by safety."""

from __future__ import annotations

from django.db.models import QuerySet

from peerhaven.safety.models import CrisisResource


def crisis_resources(*, country: str = "") -> tuple[list[CrisisResource], list[CrisisResource]]:
    """(resources for `country`, resources for everywhere else), active only."""
    active: QuerySet[CrisisResource] = CrisisResource.objects.filter(is_active=True)
    local = [resource for resource in active if country and resource.country == country.upper()]
    others = [resource for resource in active if resource not in local]
    return local, others
