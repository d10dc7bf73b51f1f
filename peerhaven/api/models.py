"""Personal access tokens for /api/v1: stored hashed, scoped, expiring and revocable."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    PROFILE_READ = "profile:read", _("Read my profile")
    PROFILE_WRITE = "profile:write", _("Change my profile")
    NOTIFICATIONS_READ = "notifications:read", _("Read my notifications")
    NOTIFICATIONS_WRITE = "notifications:write", _("Mark my notifications as read")
    VERIFICATION_READ = "verification:read", _("Read my licence verification status")
    LIVE_READ = "live:read", _("Read live meetups and the chat of my meetups")
    LIVE_WRITE = "live:write", _("Register for live meetups")
    SUPPORT_READ = "support:read", _("Read peer supporters, open slots and my T4T bookings")
    SUPPORT_WRITE = "support:write", _("Book, cancel and reschedule my T4T sessions")
    GROUPS_READ = "groups:read", _("Read my groups, their meetings, threads and case presentations")
    GROUPS_WRITE = "groups:write", _("Join groups, RSVP and post in my groups")
    FORUMS_READ = "forums:read", _("Read and search the communities")
    FORUMS_WRITE = "forums:write", _("Post, react and follow in the communities")


class PersonalAccessToken(models.Model):
    """A member's API credential, presented as `Bearer ph_<key_id>_<secret>`.

    Only the SHA-256 of the secret is kept: the secret is 32 random bytes, so a fast hash is
    enough (no dictionary to guess from) and the plain secret is shown once, at creation.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    # Public half of the token: finds the row without comparing secrets across rows.
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.key_id} of member {self.user_id}"

    def clean(self) -> None:
        valid = set(TokenScope.values)
        if (
            not isinstance(self.scopes, list)
            or not self.scopes
            or any(scope not in valid for scope in self.scopes)
        ):
            raise ValidationError({"scopes": _("Choose at least one of the listed scopes.")})

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
