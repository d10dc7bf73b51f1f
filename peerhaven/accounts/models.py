"""Members: the e-mail-based user, the profile with per-field visibility, roles, terms acceptance."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedCharField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class VerificationStatus(models.TextChoices):
    NONE = "none", _("Not submitted")
    PENDING = "pending", _("Pending review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class User(AbstractBaseUser, PermissionsMixin):
    """A member. Log-in is by e-mail; the public identity lives on the Profile."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    # Denormalised from the verification app (it alone writes these two) so that every
    # policy check is a column read, not a query.
    verification_status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.NONE
    )
    verified_until = models.DateField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Set only when erasure could not delete the row (another app still PROTECTs it): the row
    # is then stripped of personal data and kept as a tombstone (see account_erase).
    erased_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return f"member {self.pk}"

    @property
    def is_staff(self) -> bool:
        """Django admin access: superusers only (see docs/security.md)."""
        return self.is_superuser

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def public_name(self) -> str:
        """The name other members see: pseudonym by default, else display name."""
        if self.erased_at is not None:
            from peerhaven.core.privacy import FORMER_MEMBER

            return str(FORMER_MEMBER)
        profile = getattr(self, "profile", None)
        if profile is None:
            return str(_("Member"))
        return profile.public_name


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    COUNSELLOR = "counsellor", _("Counsellor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    MFT = "mft", _("Marriage and family therapist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    PSYCHIATRIC_NURSE = "psychiatric_nurse", _("Psychiatric nurse")
    TRAINEE = "trainee", _("Trainee")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    MEMBERS = "members", _("Verified members")
    PEERS = "peers", _("Only peers I work with")
    PRIVATE = "private", _("Only me")


class IdentityMode(models.TextChoices):
    PSEUDONYM = "pseudonym", _("My pseudonym")
    DISPLAY_NAME = "display_name", _("My display name")


# Fields whose visibility a member chooses, with their defaults.
PROFILE_VISIBILITY_DEFAULTS: dict[str, str] = {
    "display_name": Visibility.PEERS,
    "pronouns": Visibility.MEMBERS,
    "profession": Visibility.MEMBERS,
    "specialties": Visibility.MEMBERS,
    "modalities": Visibility.MEMBERS,
    "languages": Visibility.MEMBERS,
    "country": Visibility.MEMBERS,
    "region": Visibility.PEERS,
    "time_zone": Visibility.MEMBERS,
    "bio": Visibility.MEMBERS,
}


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=40, blank=True)
    default_identity = models.CharField(
        max_length=20, choices=IdentityMode.choices, default=IdentityMode.PSEUDONYM
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    profession = models.CharField(
        _("profession"), max_length=20, choices=Profession.choices, blank=True
    )
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    modalities = models.JSONField(_("modalities"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)  # ISO 3166-1 alpha-2
    region = models.CharField(_("region"), max_length=80, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # The language the site speaks to this member; empty means "follow the browser".
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Private: only used to keep conflicts of interest out of matching. Encrypted at rest.
    employer = EncryptedCharField(_("organisation or employer"), blank=True, plaintext_max_length=160)
    # Keyed blind index of the normalised employer (accounts.blind_index), kept in sync by
    # profile_update: matching compares organisations in SQL without decrypting them.
    employer_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    visibility = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("pseudonym"),
                condition=~models.Q(pseudonym=""),
                name="profile_pseudonym_ci_unique",
            )
        ]

    def __str__(self) -> str:
        return f"profile of member {self.user_id}"

    @property
    def public_name(self) -> str:
        if self.default_identity == IdentityMode.DISPLAY_NAME and self.display_name:
            return self.display_name
        return self.pseudonym or self.display_name or str(_("Member"))

    def visibility_of(self, field: str) -> str:
        return str(self.visibility.get(field, PROFILE_VISIBILITY_DEFAULTS.get(field, Visibility.PRIVATE)))


class Role(models.TextChoices):
    SUPPORTER = "supporter", _("Peer supporter")
    FACILITATOR = "facilitator", _("Facilitator")
    MODERATOR = "moderator", _("Moderator")
    VERIFIER = "verifier", _("Verifier")
    STAFF = "staff", _("Staff admin")


class RoleGrant(models.Model):
    """Roles are additive: one row per role a member holds."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_grant_once")]

    def __str__(self) -> str:
        return f"{self.role} for member {self.user_id}"


class TermsVersion(models.Model):
    """A published version of the terms of use and community guidelines."""

    version = models.CharField(max_length=20, unique=True)
    terms = models.TextField()
    guidelines = models.TextField()
    summary_of_changes = models.TextField(blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"Terms {self.version}"


class TermsAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms_version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "terms_version"], name="terms_accepted_once")
        ]

    def __str__(self) -> str:
        return f"member {self.user_id} accepted {self.terms_version_id}"


class KnownDevice(models.Model):
    """A kind of device a member has signed in from, for the new-device notice.

    Only a hash of the normalised browser and operating-system families is kept (with those two
    family names, which are the same for millions of people): never an IP address nor the raw
    user agent, so the table cannot say where a member was.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64)
    label = models.CharField(max_length=120, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="known_device_once_per_member")
        ]

    def __str__(self) -> str:
        return f"device {self.pk} of member {self.user_id}"
