"""groups models: groups, membership, agreements, threads and case presentations.

Everything a member writes inside a group (thread titles and posts, case presentations and their
comments) is encrypted at rest; a group's name, description and agreement are the group's public
face (or, for the agreement, its rules) and stay plain."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedCharField, EncryptedTextField

__all__ = [
    "DEFAULT_MAX_GROUP_SIZE",
    "CaseComment",
    "CasePresentation",
    "Group",
    "GroupAgreement",
    "GroupJurisdiction",
    "GroupKind",
    "GroupSettings",
    "GroupVisibility",
    "JoinPolicy",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "SEAT_STATUSES",
    "Post",
    "Thread",
    "TimeZoneBand",
    "time_zone_band",
]

DEFAULT_MAX_GROUP_SIZE = 12
GROUP_SETTINGS_PK = 1
POST_BODY_MAX_LENGTH = 10_000
CASE_FIELD_MAX_LENGTH = 6_000


def _author_name(author: Any) -> str:
    if author is None:
        from peerhaven.core.privacy import FORMER_MEMBER

        return str(FORMER_MEMBER)
    return str(author.public_name)


def validate_group_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")


class GroupSettings(models.Model):
    """The staff's settings for the groups programme: one row (pk 1). Without the row the
    defaults apply (read through `selectors.groups.group_settings`)."""

    max_group_size = models.PositiveSmallIntegerField(
        _("largest group size"), default=DEFAULT_MAX_GROUP_SIZE,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_("No group may hold more members than this, facilitators included."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=GROUP_SETTINGS_PK), name="groups_settings_singleton"),
        ]
        verbose_name = _("group settings")

    def __str__(self) -> str:
        return "group settings"


class GroupKind(models.TextChoices):
    CASE_CONSULTATION = "consultation", _("Case consultation")
    ETHICS = "ethics", _("Ethics")
    SUPERVISION = "supervision", _("Supervision")
    GENERAL_SUPPORT = "support", _("General support")
    REFLECTIVE_PRACTICE = "reflective", _("Reflective practice")
    AFFINITY = "affinity", _("Affinity group")


class GroupVisibility(models.TextChoices):
    LISTED = "listed", _("Listed in the directory")
    UNLISTED = "unlisted", _("Unlisted (reachable by invitation or link)")


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone verified may join")
    REQUEST = "request", _("By request: a facilitator approves")
    INVITATION = "invitation", _("By invitation only")


class TimeZoneBand(models.TextChoices):
    AMERICAS = "americas", _("Americas (UTC−10 to UTC−2)")
    EUROPE_AFRICA = "europe_africa", _("Europe and Africa (UTC−1 to UTC+4)")
    ASIA_PACIFIC = "asia_pacific", _("Asia and Pacific (UTC+4:30 to UTC+14)")


def time_zone_band(zone_name: str) -> str:
    """The directory's band for a time zone, from its standard (January and July, the smaller)
    offset, so a zone does not change band with daylight saving time."""
    zone = zoneinfo.ZoneInfo(zone_name)
    offsets = []
    for month in (1, 7):
        offset = dt.datetime(2025, month, 15, 12, tzinfo=zone).utcoffset()
        offsets.append(offset.total_seconds() / 3600 if offset is not None else 0.0)
    standard = min(offsets)
    if standard <= -2:
        return TimeZoneBand.AMERICAS
    if standard <= 4:
        return TimeZoneBand.EUROPE_AFRICA
    return TimeZoneBand.ASIA_PACIFIC


class Group(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=GroupVisibility.choices, default=GroupVisibility.LISTED
    )
    join_policy = models.CharField(_("how members join"), max_length=12, choices=JoinPolicy.choices,
                                   default=JoinPolicy.REQUEST)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=DEFAULT_MAX_GROUP_SIZE, validators=[MinValueValidator(2)],
        help_text=_("The most members the group holds, facilitators included."),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC",
                                 validators=[validate_group_time_zone])
    # Derived from time_zone by the services (the directory filters on it).
    time_zone_band = models.CharField(max_length=16, choices=TimeZoneBand.choices, editable=False,
                                      default=TimeZoneBand.EUROPE_AFRICA)
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership",
                                     through_fields=("group", "user"), related_name="peer_groups")
    # The version members must have accepted; 0 until the first agreement is written.
    agreement_version = models.PositiveIntegerField(default=0, editable=False)
    # SET_NULL: erasing a member's account must not be blocked by what they created.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["visibility", "archived_at", "kind"]),
            models.Index(fields=["time_zone_band"]),
        ]

    def __str__(self) -> str:
        return f"group {self.pk}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class GroupJurisdiction(models.Model):
    """A jurisdiction the group serves (licensing state, province or country), for the directory."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="jurisdictions")
    name = models.CharField(_("jurisdiction"), max_length=80)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="groups_jurisdiction_unique")]

    def __str__(self) -> str:
        return self.name


class GroupAgreement(models.Model):
    """One version of a group's agreement (confidentiality pledge and ground rules). A new
    version asks every member to accept again before they take part."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    text = models.TextField(_("agreement"), max_length=8000)
    # SET_NULL: erasing a member's account must not be blocked by what they created.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="groups_agreement_version_unique"),
        ]

    def __str__(self) -> str:
        return f"agreement {self.group_id} v{self.version}"


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    FACILITATOR = "facilitator", _("Facilitator")


class MembershipStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to join")
    INVITED = "invited", _("Invited")
    # Approved (or invited and accepted) but has not yet accepted the current agreement.
    APPROVED = "approved", _("Approved, agreement not yet accepted")
    ACTIVE = "active", _("Member")
    DECLINED = "declined", _("Request declined")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


# Statuses that hold a seat: capacity counts these.
SEAT_STATUSES = (MembershipStatus.APPROVED, MembershipStatus.ACTIVE)


class Membership(models.Model):
    """A person's relation to one group (one row per pair, reused when they come back)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=12, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    status = models.CharField(max_length=10, choices=MembershipStatus.choices)
    agreement_version = models.PositiveIntegerField(null=True, blank=True)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groups_membership_unique"),
        ]
        indexes = [
            models.Index(fields=["group", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"membership {self.pk}"

    @property
    def is_facilitator(self) -> bool:
        return self.role == MembershipRole.FACILITATOR and self.status == MembershipStatus.ACTIVE

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES


class Thread(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads")
    title = EncryptedCharField(_("title"), plaintext_max_length=140)
    # SET_NULL: an erased member's writing may stay with the group, shown as "former member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        indexes = [models.Index(fields=["group", "-last_post_at"])]

    def __str__(self) -> str:
        return f"thread {self.pk}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def author_name(self) -> str:
        return _author_name(self.author)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # SET_NULL: an erased member's writing may stay with the group, shown as "former member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"post {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def author_name(self) -> str:
        return _author_name(self.author)


class CasePresentation(models.Model):
    """A de-identified case brought to the group, written from the template."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="case_presentations")
    # SET_NULL: an erased member's writing may stay with the group, shown as "former member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    title = EncryptedCharField(_("title"), plaintext_max_length=140)
    presenting_question = EncryptedTextField(_("presenting question"))
    context = EncryptedTextField(_("context"))
    vignette = EncryptedTextField(_("de-identified vignette"))
    needs = EncryptedTextField(_("what I need from the group"))
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "-created_at"])]

    def __str__(self) -> str:
        return f"case presentation {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def author_name(self) -> str:
        return _author_name(self.author)


class CaseComment(models.Model):
    presentation = models.ForeignKey(CasePresentation, on_delete=models.CASCADE, related_name="comments")
    # SET_NULL: an erased member's writing may stay with the group, shown as "former member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    body = EncryptedTextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["presentation", "created_at"])]

    def __str__(self) -> str:
        return f"case comment {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def author_name(self) -> str:
        return _author_name(self.author)
