"""Licence submissions: what a member sends in, what a verifier decided, and the history of both.

The member's current standing is denormalised onto `User.verification_status` and
`User.verified_until` by this app's services alone, so every policy check is a column read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedCharField, EncryptedTextField


class LicenceType(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    COUNSELLOR = "counsellor", _("Licensed professional counsellor")
    SOCIAL_WORKER = "social_worker", _("Clinical social worker")
    MFT = "mft", _("Marriage and family therapist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist (medical licence)")
    PSYCHIATRIC_NURSE = "psychiatric_nurse", _("Psychiatric nurse")
    PSYCHOTHERAPIST = "psychotherapist", _("Psychotherapist")
    OTHER = "other", _("Other regulated mental-health licence")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    NEEDS_INFO = "needs_info", _("More information requested")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    # A member resubmitted while this one was still open: the newer submission counts.
    SUPERSEDED = "superseded", _("Replaced by a newer submission")


OPEN_STATUSES = (SubmissionStatus.PENDING, SubmissionStatus.NEEDS_INFO)


class DocumentType(models.TextChoices):
    PDF = "application/pdf", _("PDF document")
    JPEG = "image/jpeg", _("JPEG image")
    PNG = "image/png", _("PNG image")


DOCUMENT_EXTENSIONS = {DocumentType.PDF: "pdf", DocumentType.JPEG: "jpg", DocumentType.PNG: "png"}


class LicenceSubmission(models.Model):
    """One submission of a licence for review. A member may submit again; the latest counts."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="licence_submissions"
    )
    licence_type = models.CharField(_("licence type"), max_length=30, choices=LicenceType.choices)
    # Encrypted at rest: a licence number identifies a clinician outright.
    number = EncryptedCharField(_("licence number"), plaintext_max_length=64)
    jurisdiction = models.CharField(
        _("issuing jurisdiction"), max_length=120,
        help_text=_("The state, province or country whose board issued the licence."),
    )
    expires_on = models.DateField(_("expiry date"))
    # The document is stored encrypted under PRIVATE_MEDIA_ROOT (never in static files) and is
    # served only through the authorised document view; the path is a random name.
    document_path = models.CharField(max_length=255, blank=True)
    document_content_type = models.CharField(
        max_length=40, blank=True, choices=DocumentType.choices
    )
    document_size = models.PositiveIntegerField(default=0)  # plaintext bytes
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Shown to the member: the rejection reason or the verifier's question. Encrypted.
    reason = EncryptedTextField(_("message to the member"), blank=True)
    member_reply = EncryptedTextField(_("your reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="licence_member_latest"),
            models.Index(fields=["status", "created_at"], name="licence_queue"),
            models.Index(fields=["status", "expires_on"], name="licence_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SubmissionStatus.values), name="licence_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(document_path="") | ~models.Q(document_content_type=""),
                name="licence_document_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"licence submission {self.pk} of member {self.member_id}"

    @property
    def has_document(self) -> bool:
        return bool(self.document_path)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def number_hint(self) -> str:
        """The last characters only, for pages where the full number is not needed."""
        tail = (self.number or "")[-3:]
        return f"…{tail}" if tail else ""

    @property
    def document_filename(self) -> str:
        extension = DOCUMENT_EXTENSIONS.get(self.document_content_type, "bin")  # type: ignore[call-overload]
        return f"licence-{self.pk}.{extension}"
