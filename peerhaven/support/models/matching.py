"""support models for matching: conflict-of-interest declarations and the never-match list, the
member's private matching preferences, supporter buddies, the ICS import status, and the
seeker's private feedback after a session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedCharField, EncryptedTextField
from peerhaven.support.models.booking import Booking, SupporterProfile

__all__ = [
    "FEEDBACK_COMMENT_MAX_LENGTH",
    "Buddy",
    "CalendarImport",
    "CalendarImportStatus",
    "DeclaredRelationship",
    "MatchingPreference",
    "NeverMatch",
    "RelationshipKind",
    "SessionFeedback",
]

FEEDBACK_COMMENT_MAX_LENGTH = 2000


class RelationshipKind(models.TextChoices):
    SUPERVISOR = "supervisor", _("My supervisor")
    SUPERVISEE = "supervisee", _("Someone I supervise")
    COLLEAGUE = "colleague", _("A colleague")
    OWN_THERAPIST = "own_therapist", _("My own therapist")
    CLIENT = "client", _("A client or former client")


class _PrivateMemberEntry(models.Model):
    """A private entry one member makes about another, by pseudonym or e-mail.

    `other` is the member it resolved to, if any; `label` is what the member typed (encrypted) and
    `label_index` its keyed blind index, so that an entry made before the other person joined
    (or under an e-mail they later sign up with) still matches them. Whether an entry resolved to
    an account is never shown to anyone: that would tell the member whether an account exists.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = EncryptedCharField(_("pseudonym or e-mail"), plaintext_max_length=254)
    label_index = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class DeclaredRelationship(_PrivateMemberEntry):
    """"I am or was in this relationship with that member": the two are never matched. The other
    side is never told."""

    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind.choices)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["member"]), models.Index(fields=["other"])]
        constraints = [
            models.UniqueConstraint(fields=["member", "label_index", "kind"], name="support_declared_once"),
        ]

    def __str__(self) -> str:
        return f"declared relationship {self.pk}"


class NeverMatch(_PrivateMemberEntry):
    """The member's "never match me with" list. Private to the member."""

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["member"]), models.Index(fields=["other"])]
        constraints = [models.UniqueConstraint(fields=["member", "label_index"], name="support_never_match_once")]

    def __str__(self) -> str:
        return f"never-match entry {self.pk}"


class MatchingPreference(models.Model):
    """What a member looking for support would like (optional, private): used only to rank
    suggestions for them."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_matching_preference")
    needs = models.JSONField(_("what you would like to talk about"), default=list, blank=True)
    languages = models.JSONField(_("languages you would like to speak"), default=list, blank=True)
    session_length = models.PositiveSmallIntegerField(_("preferred session length (minutes)"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"matching preference {self.pk}"


class Buddy(models.Model):
    """A supporter's named buddy among the other approved supporters, for their own debriefs.
    Visible only to the two of them."""

    supporter = models.OneToOneField(SupporterProfile, on_delete=models.CASCADE, related_name="buddy_link")
    buddy = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="buddied_by")
    created_at = models.DateTimeField(default=timezone.now)
    last_debrief_request_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(supporter=models.F("buddy")), name="support_buddy_not_self"),
        ]

    def __str__(self) -> str:
        return f"buddy link {self.pk}"


class CalendarImportStatus(models.TextChoices):
    NEVER = "never", _("Not imported yet")
    OK = "ok", _("Imported")
    UNREACHABLE = "unreachable", _("The calendar could not be reached")
    REFUSED = "refused", _("This address cannot be used")
    TOO_LARGE = "too_large", _("The calendar is too large")
    INVALID = "invalid", _("The calendar could not be read")


class CalendarImport(models.Model):
    """The last refresh of a supporter's calendar feed, shown to the supporter."""

    supporter = models.OneToOneField(SupporterProfile, on_delete=models.CASCADE, related_name="calendar_import")
    status = models.CharField(max_length=12, choices=CalendarImportStatus.choices, default=CalendarImportStatus.NEVER)
    busy_count = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar import {self.pk}"


class SessionFeedback(models.Model):
    """The seeker's optional private feedback on a completed session: helpful or not, and a
    comment for staff (encrypted). Staff see aggregates by month only, never who saw whom;
    `month` is kept so aggregates need no join to the booking."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("Was the session helpful?"))
    comment = EncryptedTextField(_("a comment for the staff (optional)"), blank=True, max_length=FEEDBACK_COMMENT_MAX_LENGTH)
    month = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"session feedback {self.pk}"
