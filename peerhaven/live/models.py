"""Live meetups: the meetup, who registered, its room's chat with support reactions, and the
staff's chat-retention setting."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedTextField

# The room opens this long before the start and stays open this long after the end.
ROOM_OPENS_BEFORE = dt.timedelta(minutes=10)
ROOM_CLOSES_AFTER = dt.timedelta(minutes=15)
CHAT_BODY_MAX_LENGTH = 2000
DEFAULT_CHAT_RETENTION_DAYS = 30


class Audience(models.TextChoices):
    # Groups arrive with the groups programme; the field is here so that no migration of
    # existing meetups is needed then.
    VERIFIED_MEMBERS = "verified", _("All verified members")


class Meetup(models.Model):
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.VERIFIED_MEMBERS)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(2), MaxValueValidator(1000)])
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_meetups")
    locked = models.BooleanField(default=False)
    chat_muted = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ended_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="live_meetup_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"meetup {self.pk}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meetup must end after it starts.")})
        if self.starts_at and self.ends_at and self.ends_at - self.starts_at > dt.timedelta(hours=8):
            raise ValidationError({"ends_at": _("A meetup lasts at most eight hours.")})

    @property
    def room_opens_at(self) -> dt.datetime:
        return self.starts_at - ROOM_OPENS_BEFORE

    @property
    def room_closes_at(self) -> dt.datetime:
        return self.ends_at + ROOM_CLOSES_AFTER

    def room_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and self.room_opens_at <= now <= self.room_closes_at


class MeetupRegistration(models.Model):
    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_registrations")
    raised_hand = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True)
    # First time in the room: a locked room still lets back in those who were already there.
    entered_at = models.DateTimeField(null=True, blank=True)
    # Open sockets of this member in this room (several tabs, or two web nodes): the presence list.
    connections = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["meetup", "member"], name="live_registration_once")]

    def __str__(self) -> str:
        return f"registration {self.pk}"


class ChatMessage(models.Model):
    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Private conversation among peers: encrypted at rest.
    body = EncryptedTextField(_("message"), max_length=CHAT_BODY_MAX_LENGTH)
    content_note = models.CharField(_("content note"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["meetup", "created_at"])]

    def __str__(self) -> str:
        return f"chat message {self.pk}"


class ReactionKind(models.TextChoices):
    # Support, never scores: no "like" and no ranking by reactions.
    WITH_YOU = "with_you", _("With you")
    RELATE = "relate", _("I relate")
    THANK_YOU = "thank_you", _("Thank you")
    STRENGTH = "strength", _("Sending strength")


class Reaction(models.Model):
    message = models.ForeignKey(ChatMessage, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "member", "kind"], name="live_reaction_once")]

    def __str__(self) -> str:
        return f"reaction {self.pk}"


class LiveSettings(models.Model):
    """One row: how long meetup chat is kept after the meetup (a staff setting)."""

    chat_retention_days = models.PositiveIntegerField(
        _("days chat is kept after a meetup"), default=DEFAULT_CHAT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "live settings"


# --- video rooms (rooms.py): the live state of a room; who may enter is the owner's spec ---------
class VideoRoom(models.Model):
    """Created when someone first enters; `key` is the spec's "<kind>:<ref>"."""

    key = models.CharField(max_length=200, unique=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"video room {self.pk}"


class VideoRoomPresence(models.Model):
    """One open signalling socket (one per member: a second tab replaces the first). Rows of a
    crashed node stop counting once `seen_at` is older than PRESENCE_STALE_AFTER."""

    room = models.ForeignKey(VideoRoom, on_delete=models.CASCADE, related_name="presences")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    peer_id = models.CharField(max_length=32, unique=True)
    channel_name = models.CharField(max_length=200)
    joined_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "member"], name="live_video_presence_once")]

    def __str__(self) -> str:
        return f"video presence {self.pk}"


class VideoRoomRemoval(models.Model):
    """The host removed this member: they cannot come back into this room."""

    room = models.ForeignKey(VideoRoom, on_delete=models.CASCADE, related_name="removals")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    removed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "member"], name="live_video_removal_once")]

    def __str__(self) -> str:
        return f"video removal {self.pk}"
