"""Reads for live meetups: lists, a room's chat history and presence, each in a fixed number of
queries. Chat payloads carry the author's public name only (pseudonyms respected)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from peerhaven.live.models import (
    DEFAULT_CHAT_RETENTION_DAYS,
    ChatMessage,
    LiveSettings,
    Meetup,
    MeetupRegistration,
    Reaction,
)
from peerhaven.safety.policies import exclude_blocked

HISTORY_SIZE = 50


def upcoming_meetups(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Meetup]:
    """Meetups not ended whose room has not closed, with the viewer's registration and the
    number of seats taken: one query."""
    now = now or timezone.now()
    mine = MeetupRegistration.objects.filter(member_id=user.pk)
    return (
        Meetup.objects.filter(ended_at__isnull=True, ends_at__gte=now - dt.timedelta(minutes=15))
        .select_related("host__profile")
        .annotate(
            seats_taken=Count(
                "registrations",
                filter=Q(registrations__removed_at__isnull=True) & ~Q(registrations__member_id=F("host_id")),
            )
        )
        .prefetch_related(Prefetch("registrations", queryset=mine, to_attr="my_registrations"))
        .order_by("starts_at", "pk")
    )


def seats_taken(meetup: Meetup) -> int:
    """Registrations that hold a seat: not removed, and not the host's own."""
    return (
        MeetupRegistration.objects.filter(meetup=meetup, removed_at__isnull=True)
        .exclude(member_id=meetup.host_id)
        .count()
    )


def _reaction_counts(message_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Reaction.objects.filter(message_id__in=message_ids)
        .values_list("message_id", "kind")
        .annotate(total=Count("pk"))
    )
    for message_id, kind, total in rows:
        counts[message_id][kind] = total
    return counts


def message_payload(message: ChatMessage, *, host_id: int, reactions: dict[str, int] | None = None) -> dict[str, Any]:
    author = message.author
    return {
        "id": message.pk,
        "author": author.public_name if author is not None else "",
        "author_is_host": author is not None and author.pk == host_id,
        "body": message.body,
        "content_note": message.content_note,
        "created_at": message.created_at.isoformat(),
        "reactions": reactions or {},
    }


def chat_history(meetup: Meetup, viewer: Any, *, limit: int = HISTORY_SIZE) -> list[dict[str, Any]]:
    """The last `limit` visible messages, oldest first, without those of members blocked either
    way; each with `author_id` for the consumer (never sent to a browser). Two queries."""
    messages = list(
        exclude_blocked(
            ChatMessage.objects.filter(meetup=meetup, hidden_at__isnull=True), viewer, field="author"
        )
        .select_related("author__profile")
        .order_by("-created_at", "-pk")[:limit]
    )
    messages.reverse()
    counts = _reaction_counts([message.pk for message in messages])
    history = []
    for message in messages:
        payload = message_payload(message, host_id=meetup.host_id, reactions=counts.get(message.pk))
        payload["author_id"] = message.author_id
        history.append(payload)
    return history


def reaction_counts_for(message_id: int) -> dict[str, int]:
    return _reaction_counts([message_id]).get(message_id, {})


def presence(meetup: Meetup) -> list[dict[str, Any]]:
    """Participants with a socket open, with `user_id` for per-recipient filtering by the
    consumer (never sent to a browser). One query."""
    registrations = (
        MeetupRegistration.objects.filter(meetup=meetup, removed_at__isnull=True, connections__gt=0)
        .select_related("member__profile")
        .order_by("entered_at", "pk")
    )
    return [
        {
            "id": registration.pk,
            "user_id": registration.member_id,
            "name": registration.member.public_name,
            "raised_hand": registration.raised_hand,
            "is_host": registration.member_id == meetup.host_id,
        }
        for registration in registrations
    ]


def live_settings() -> LiveSettings:
    found = LiveSettings.objects.order_by("pk").first()
    return found if found is not None else LiveSettings(chat_retention_days=DEFAULT_CHAT_RETENTION_DAYS)
