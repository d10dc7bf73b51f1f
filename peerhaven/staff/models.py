"""What the staff console keeps: the membership policy, invitations, the two-staff requests
(staff role grants, second-factor resets) and the reasons behind suspensions."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedTextField

INVITATION_LIFETIME = dt.timedelta(days=14)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_domain(value: str) -> str:
    return value.strip().lower().lstrip("@").rstrip(".")


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


class MembershipPolicy(models.Model):
    """Who may join. One row (pk 1), edited by staff. An address may sign up when any of the
    enabled ways in admits it (open sign-up OR an invitation OR an allowed domain); with none
    enabled, sign-up is closed. Everyone still verifies their licence after joining."""

    SINGLETON_PK = 1

    open_signup = models.BooleanField(_("anyone may sign up (licence verified after joining)"), default=True)
    invitations = models.BooleanField(_("invited addresses may sign up"), default=True)
    allowed_domains = models.JSONField(_("e-mail domains that may sign up"), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="membership_policy_singleton")]
        verbose_name_plural = "membership policy"

    def __str__(self) -> str:
        return "membership policy"

    def clean(self) -> None:
        if not isinstance(self.allowed_domains, list):
            raise ValidationError({"allowed_domains": _("List the domains one per line.")})
        domains = sorted({normalise_domain(str(domain)) for domain in self.allowed_domains} - {""})
        bad = [domain for domain in domains if not _DOMAIN.match(domain)]
        if bad:
            raise ValidationError(
                {"allowed_domains": _("Not a domain name: %(domains)s") % {"domains": ", ".join(bad)}}
            )
        if len(domains) > 200:
            raise ValidationError({"allowed_domains": _("List at most 200 domains.")})
        self.allowed_domains = domains

    @property
    def is_closed(self) -> bool:
        return not (self.open_signup or self.invitations or self.allowed_domains)

    def admits_domain_of(self, email: str) -> bool:
        return email_domain(email) in set(self.allowed_domains)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


def _invitation_expiry() -> dt.datetime:
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An invitation by e-mail. Only the SHA-256 of its token is kept; the link is in the e-mail."""

    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Erasing the member erases the invitation that names their address.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)

    @property
    def is_usable(self) -> bool:
        return self.status == InvitationStatus.PENDING

    def is_for(self, email: str) -> bool:
        return self.email.strip().lower() == email.strip().lower()


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second staff member")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class StaffGrantRequest(models.Model):
    """Making someone staff takes two staff members: one asks here, a different one approves."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="pending"), name="staff_grant_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"staff grant request {self.pk}"


class MfaResetRequest(models.Model):
    """A staff-assisted reset of a member's second factors: one staff member records the identity
    checks, a different one approves, and only then are the member's authenticators removed."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    video_call_with_id = models.BooleanField(_("video call with photo ID"), default=False)
    licence_number_matched = models.BooleanField(_("licence number matched our records"), default=False)
    known_contact_confirmed = models.BooleanField(_("confirmed through a known contact"), default=False)
    # Staff-only notes about how identity was checked: encrypted at rest.
    note = EncryptedTextField(_("note"), blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    CHECK_FIELDS = ("video_call_with_id", "licence_number_matched", "known_contact_confirmed")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="pending"), name="mfa_reset_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"second-factor reset {self.pk}"

    def clean(self) -> None:
        if not any(getattr(self, name) for name in self.CHECK_FIELDS):
            raise ValidationError(_("Record at least one identity check before asking for a reset."))
        if self.note and len(self.note) > 2000:
            raise ValidationError({"note": _("Keep the note under 2000 characters.")})

    @property
    def checks_done(self) -> list[str]:
        return [name for name in self.CHECK_FIELDS if getattr(self, name)]


class SuspensionAction(models.TextChoices):
    SUSPEND = "suspend", _("Suspended")
    REINSTATE = "reinstate", _("Reinstated")


class SuspensionRecord(models.Model):
    """Why a member was suspended or reinstated. The reason is for staff only, encrypted at rest,
    and never sent to the member or written to the audit log."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=SuspensionAction.choices)
    reason = EncryptedTextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} of member {self.member_id}"

    def clean(self) -> None:
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Write down the reason.")})
        if len(self.reason) > 2000:
            raise ValidationError({"reason": _("Keep the reason under 2000 characters.")})
