"""The member's next meetups (registered or hosting) for the home page's "Coming up" (core.agenda)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from peerhaven.core.agenda import AgendaItem
from peerhaven.live.models import Meetup


def agenda_for(user: Any, *, now: dt.datetime, limit: int) -> list[AgendaItem]:
    meetups = (
        Meetup.objects.filter(
            Q(host_id=user.pk)
            | Q(registrations__member_id=user.pk, registrations__removed_at__isnull=True),
            ended_at__isnull=True, ends_at__gte=now,
        )
        .distinct()
        .only("pk", "title", "starts_at", "ends_at")
        .order_by("starts_at", "pk")[:limit]
    )
    return [
        AgendaItem(
            starts_at=meetup.starts_at,
            ends_at=meetup.ends_at,
            title=meetup.title,
            kind=gettext_lazy("Live meetup"),
            url=reverse("live:meetup_detail", args=[meetup.pk]),
        )
        for meetup in meetups
    ]
