"""Reads for live meetups: lists, a room's chat history and presence, each in a fixed number of
queries. Chat payloads carry the author's public name only (pseudonyms respected)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from peerhaven.live.models import (
    DEFAULT_CHAT_RETENTION_DAYS,
    ChatMessage,
    LiveSettings,
    Meetup,
    MeetupRegistration,
    Reaction,
    VideoRoom,
    VideoRoomPresence,
    VideoRoomRemoval,
)
from peerhaven.live.rooms import RoomSpec
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


# --- video rooms --------------------------------------------------------------------------------
# A presence row not refreshed for this long belongs to a node that went away: it does not count.
PRESENCE_STALE_AFTER = dt.timedelta(minutes=3)


@dataclass(frozen=True)
class VideoRoomState:
    ended: bool
    removed: bool


def video_room_state(spec: RoomSpec, member: Any) -> VideoRoomState:
    """Whether the host ended the room, and whether they removed `member` from it. One query."""
    room = (
        VideoRoom.objects.filter(key=spec.key)
        .annotate(member_removed=Exists(VideoRoomRemoval.objects.filter(room=OuterRef("pk"), member_id=member.pk)))
        .first()
    )
    if room is None:
        return VideoRoomState(ended=False, removed=False)
    return VideoRoomState(ended=room.ended_at is not None, removed=bool(room.member_removed))


def video_presence(room_id: int, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Who is in a video room, oldest first, with `user_id` and `channel` for the consumers
    (never sent to a browser). One query."""
    now = now or timezone.now()
    rows = (
        VideoRoomPresence.objects.filter(room_id=room_id, seen_at__gte=now - PRESENCE_STALE_AFTER)
        .select_related("member__profile")
        .order_by("joined_at", "pk")
    )
    return [
        {"peer": row.peer_id, "name": row.member.public_name, "user_id": row.member_id, "channel": row.channel_name}
        for row in rows
    ]


MEETUP_ROOM_KIND = "live.meetup"


def meetup_room_spec(ref: str) -> RoomSpec | None:
    """The video room of a meetup (registered as "live.meetup"): its registered participants who
    were not removed (in a locked room, only those already in it), hosted by its host and by staff
    among them. Larger than a mesh, it goes to Jitsi when an instance is configured. Two queries."""
    from peerhaven.accounts.models import Role, User
    from peerhaven.live.video import MESH_MAX_PARTICIPANTS, external_rooms_enabled

    if not ref.isdigit() or len(ref) > 18:
        return None
    meetup = Meetup.objects.filter(pk=int(ref)).first()
    if meetup is None:
        return None
    registrations = MeetupRegistration.objects.filter(meetup=meetup, removed_at__isnull=True)
    if meetup.locked:
        registrations = registrations.filter(Q(entered_at__isnull=False) | Q(member_id=meetup.host_id))
    participant_ids = frozenset(registrations.values_list("member_id", flat=True))
    staff_ids = frozenset(
        User.objects.filter(pk__in=participant_ids, role_grants__role=Role.STAFF).values_list("pk", flat=True)
    )
    return RoomSpec(
        kind=MEETUP_ROOM_KIND, ref=str(meetup.pk), title=meetup.title, starts_at=meetup.starts_at,
        ends_at=meetup.ends_at, participant_ids=participant_ids,
        host_ids=frozenset({meetup.host_id}) | staff_ids,
        back_url=reverse("live:meetup_room", kwargs={"pk": meetup.pk}),
        external=meetup.capacity > MESH_MAX_PARTICIPANTS and external_rooms_enabled(),
        closed=meetup.ended_at is not None,
    )


def meetups_busy(user_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Meetups these members host or are registered for (not removed, not ended), overlapping
    [start, end), per member: commitments kept out of their T4T slots (support's busy sources).
    One query."""
    ids = list(user_ids)
    found: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    meetups = Meetup.objects.filter(ended_at__isnull=True, starts_at__lt=end, ends_at__gt=start)
    hosted = meetups.filter(host_id__in=ids).order_by().values_list("host_id", "starts_at", "ends_at")
    joined = (
        MeetupRegistration.objects.filter(member_id__in=ids, removed_at__isnull=True, meetup__in=meetups)
        .order_by().values_list("member_id", "meetup__starts_at", "meetup__ends_at")
    )
    for user_id, starts_at, ends_at in hosted.union(joined, all=False):
        found.setdefault(user_id, []).append((starts_at, ends_at))
    return found
