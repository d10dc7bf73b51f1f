"""The member's next group meetings for the home page's "Coming up" (core.agenda)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from peerhaven.core.agenda import AgendaItem
from peerhaven.groups.models import Meeting, MeetingStatus, Membership, MembershipStatus


def agenda_for(user: Any, *, now: dt.datetime, limit: int) -> list[AgendaItem]:
    groups = Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE).values("group_id")
    meetings = (
        Meeting.objects.filter(group_id__in=groups, ends_at__gt=now, status=MeetingStatus.SCHEDULED,
                               group__archived_at__isnull=True)
        .select_related("group")
        .only("pk", "title", "starts_at", "ends_at", "group__name")
        .order_by("starts_at", "pk")[:limit]
    )
    return [
        AgendaItem(
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            title=f"{meeting.group.name}: {meeting.title}" if meeting.title else meeting.group.name,
            kind=gettext_lazy("Group meeting"),
            url=reverse("groups:meeting_detail", args=[meeting.pk]),
        )
        for meeting in meetings
    ]
