"""Safety: crisis resources, reports feeding the moderation queue, and blocks between members."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedTextField


class CrisisResource(models.Model):
    """A crisis line or service, edited by staff. An empty country means 'anywhere'."""

    country = models.CharField(_("country code"), max_length=2, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    text = models.CharField(_("text or chat"), max_length=120, blank=True)
    url = models.URLField(_("web address"), blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country", "order", "name"]

    def __str__(self) -> str:
        return self.name


class ReportTarget(models.TextChoices):
    MEMBER = "member", _("A member")
    CONTENT = "content", _("Content")


class ReportReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment or abuse")
    CLIENT_INFORMATION = "client_information", _("Identifying client information")
    SELF_HARM = "self_harm", _("Risk of self-harm")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIONED = "actioned", _("Actioned")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    """A member's report about another member or a piece of content, for moderators.

    The reported member is never told who reported them: nothing here is shown outside the
    moderation queue and the reporter's own list.
    """

    # SET_NULL: a reporter who erases their account leaves the moderation record behind.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reports_made"
    )
    target_kind = models.CharField(max_length=10, choices=ReportTarget.choices)
    target_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="reports_about",
    )
    # Content from any app that registers itself in safety.registry.REPORTABLE.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = EncryptedTextField(_("details"), blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution_note = EncryptedTextField(_("resolution note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        target_kind=ReportTarget.MEMBER,
                        target_member__isnull=False,
                        content_type__isnull=True,
                        object_id__isnull=True,
                    )
                    | models.Q(
                        target_kind=ReportTarget.CONTENT,
                        target_member__isnull=True,
                        content_type__isnull=False,
                        object_id__isnull=False,
                    )
                ),
                name="report_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(reporter=models.F("target_member")),
                name="report_not_about_self",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.target_kind}, {self.reason})"

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN

    @property
    def content_label(self) -> str:
        """'app_label.model' of reported content, as used in the registry and the URL."""
        if self.content_type is None:
            return ""
        return f"{self.content_type.app_label}.{self.content_type.model}"


class Block(models.Model):
    """`blocker` never sees `blocked` again, and the two are never matched or grouped."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self) -> str:
        return f"member {self.blocker_id} blocked member {self.blocked_id}"
