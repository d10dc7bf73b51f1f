"""Reads owned by safety: crisis resources, the moderation queue, a member's reports and blocks."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from peerhaven.safety.models import Block, CrisisResource, Report, ReportStatus


def crisis_resources(*, country: str = "") -> tuple[list[CrisisResource], list[CrisisResource]]:
    """(active resources for `country`, every other active resource), in one query.

    The others list starts with the resources for anywhere (empty country), then by country.
    """
    country = country.upper()
    local: list[CrisisResource] = []
    others: list[CrisisResource] = []
    for resource in CrisisResource.objects.filter(is_active=True):
        if country and resource.country == country:
            local.append(resource)
        else:
            others.append(resource)
    return local, others


def crisis_resources_for_staff() -> QuerySet[CrisisResource]:
    """All resources, active first, for the staff editor."""
    return CrisisResource.objects.order_by("-is_active", "country", "order", "name")


def moderation_queue(*, status: str = "", reason: str = "") -> QuerySet[Report]:
    """Reports for moderators: open ones first (oldest first), then the rest (latest handled first)."""
    reports = Report.objects.select_related(
        "reporter__profile", "target_member__profile", "content_type"
    ).annotate(
        open_rank=Case(
            When(status=ReportStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    if status:
        reports = reports.filter(status=status)
    if reason:
        reports = reports.filter(reason=reason)
    return reports.order_by("open_rank", F("handled_at").desc(nulls_last=True), "created_at", "id")


def reports_by(user: Any) -> QuerySet[Report]:
    """What `user` reported, newest first. Only the status is shown back to them."""
    return Report.objects.filter(reporter=user).select_related("content_type", "target_member__profile")


def blocks_by(user: Any) -> QuerySet[Block]:
    """The members `user` blocked, newest first."""
    return Block.objects.filter(blocker=user).select_related("blocked__profile")
