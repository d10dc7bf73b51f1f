"""The member's next T4T sessions for the home page's "Coming up" (core.agenda)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerhaven.core.agenda import AgendaItem
from peerhaven.support.models import ACTIVE_BOOKING_STATUSES, Booking, BookingStatus


def agenda_for(user: Any, *, now: dt.datetime, limit: int) -> list[AgendaItem]:
    bookings = (
        Booking.objects.filter(Q(seeker_id=user.pk) | Q(supporter__user_id=user.pk),
                               status__in=ACTIVE_BOOKING_STATUSES, ends_at__gte=now)
        .only("pk", "starts_at", "ends_at", "status")
        .order_by("starts_at", "pk")[:limit]
    )
    return [
        AgendaItem(
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            title=_("Peer support session") if booking.status == BookingStatus.CONFIRMED
            else _("Peer support session (waiting for confirmation)"),
            kind=gettext_lazy("T4T"),
            url=reverse("support:session", args=[booking.pk]),
        )
        for booking in bookings
    ]
