"""forums models: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library.

Flags are safety's reports (the forum registers its posts in `safety.registry`), so they land
in the one moderation queue; what lives here is what only the forums need.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedTextField

__all__ = [
    "DigestDelivery",
    "DigestFrequency",
    "DigestPreference",
    "ForumSettings",
    "ModerationWarning",
    "PostSearchDocument",
    "RelayDirection",
    "RelayMessage",
    "Resource",
    "ResourceKind",
    "ResourceStatus",
    "ResourceTag",
    "ResourceTagging",
    "RevealRequest",
    "RevealStatus",
    "WarningReason",
    "WatchedWord",
    "WatchedWordAction",
]


# --- watched words -----------------------------------------------------------------------------
class WatchedWordAction(models.TextChoices):
    QUEUE = "queue", _("Send the post to the moderation queue")
    BLOCK = "block", _("Refuse the post")


class WatchedWord(models.Model):
    """A word or phrase staff watch for in new posts and topics. Matched whole-word,
    case-insensitively, after Unicode normalisation (see services.moderation.check_watched_words)."""

    word = models.CharField(_("word or phrase"), max_length=80)
    # The normalised form (NFKC, case-folded, single spaces): unique, and what is matched.
    normalised = models.CharField(max_length=80, unique=True, editable=False)
    action = models.CharField(_("what to do"), max_length=10, choices=WatchedWordAction.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["normalised"]

    def __str__(self) -> str:
        return f"watched word {self.pk} ({self.action})"


# --- warnings ---------------------------------------------------------------------------------
class WarningReason(models.TextChoices):
    TONE = "tone", _("Tone or respect toward other members")
    CLIENT_INFORMATION = "client_information", _("Information that could identify a client")
    OFF_TOPIC = "off_topic", _("Off topic for the community")
    ADVERTISING = "advertising", _("Advertising or self-promotion")
    OTHER = "other", _("Another breach of the community guidelines")


class ModerationWarning(models.Model):
    """A warning a moderator gave about a post. The member is told only that there is one
    (content-free notification); the page they open shows the reason category."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_warnings")
    post = models.ForeignKey("forums.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=WarningReason.choices)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"warning {self.pk}"


# --- the anonymous relay and reveal -----------------------------------------------------------
class RelayDirection(models.TextChoices):
    TO_AUTHOR = "to_author", _("From the moderators")
    FROM_AUTHOR = "from_author", _("From the author")


class RelayMessage(models.Model):
    """A message between the moderators and the author of an anonymous post, who stays unknown
    to them. `sender` is kept for the author's own export and erasure, and is never shown to
    moderators (they see "Verified clinician")."""

    post = models.ForeignKey("forums.Post", on_delete=models.CASCADE, related_name="relay_messages")
    direction = models.CharField(max_length=12, choices=RelayDirection.choices)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"relay message {self.pk} ({self.direction})"


class RevealStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second staff member")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class RevealRequest(models.Model):
    """A request to learn who wrote an anonymous post: one staff member asks with a written
    reason (imminent risk), a different one decides; only then may the asker see the name,
    once. Every step is audited and the author is told."""

    post = models.ForeignKey("forums.Post", on_delete=models.CASCADE, related_name="reveal_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = EncryptedTextField(_("reason (imminent risk)"))
    status = models.CharField(max_length=10, choices=RevealStatus.choices, default=RevealStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    shown_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=models.Q(status="pending"), name="forum_reveal_one_pending_per_post"
            )
        ]

    def __str__(self) -> str:
        return f"reveal request {self.pk} ({self.status})"


# --- search ------------------------------------------------------------------------------------
class PostSearchDocument(models.Model):
    """One searchable post, denormalised so that a search reads one table: its community,
    whether members may see it, and — only for posts shown under a name — who wrote it and
    under which name. Anonymous posts have no `named_author`, so an author filter can never
    match them. The text index itself is a tsvector column with a GIN index on PostgreSQL and
    an FTS5 table on SQLite (migration 0002, decision 0010)."""

    post = models.OneToOneField("forums.Post", primary_key=True, on_delete=models.CASCADE, related_name="+")
    topic_id = models.BigIntegerField()
    community_id = models.BigIntegerField()
    named_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    # "pseudonym" or "display_name" for named posts, "" for anonymous ones.
    shown_as = models.CharField(max_length=20, blank=True)
    is_visible = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["named_author", "-created_at"], name="forum_search_author"),
            models.Index(fields=["community_id", "-post"], name="forum_search_community"),
        ]

    def __str__(self) -> str:
        return f"search document of post {self.pk}"


# --- digests -----------------------------------------------------------------------------------
class DigestFrequency(models.TextChoices):
    OFF = "off", _("No digest")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class DigestPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_digest")
    frequency = models.CharField(_("digest"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.OFF)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"digest preference of member {self.user_id}"


class DigestDelivery(models.Model):
    """One digest per member per period: the unique row is claimed before the e-mail is sent,
    so a rerun of the daily job sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)  # "daily:2026-11-26" or "weekly:2026-W48"
    sent_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="forum_digest_once_per_period")]

    def __str__(self) -> str:
        return f"digest {self.period} for member {self.user_id}"


class ForumSettings(models.Model):
    """Instance-wide forum settings that staff change (one row)."""

    SINGLETON_PK = 1

    digest_titles = models.BooleanField(
        _("Digests may name topics"), default=False,
        help_text=_("Off: digests say only how many posts are new in which community. On: they also list topic titles."),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return "forum settings"


# --- resource library --------------------------------------------------------------------------
class ResourceKind(models.TextChoices):
    LINK = "link", _("A link")
    DOCUMENT = "document", _("A document")
    WRITEUP = "writeup", _("A short write-up")


class ResourceStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")


class ResourceTag(models.TextChoices):
    SECONDARY_TRAUMA = "secondary_trauma", _("Secondary trauma")
    BOUNDARIES = "boundaries", _("Boundaries")
    WORK_LIFE = "work_life", _("Work-life balance")
    GRIEF = "grief", _("Grief")
    ETHICS = "ethics", _("Ethics")
    BURNOUT = "burnout", _("Burnout")
    SELF_CARE = "self_care", _("Self-care strategies")
    SUPERVISION = "supervision", _("Supervision and consultation")


class Resource(models.Model):
    """A curated resource: suggested by a member, published by a moderator, each published one
    with its own discussion topic."""

    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    url = models.URLField(_("web address"), blank=True, max_length=500)
    summary = models.TextField(_("summary or write-up"), max_length=4000, blank=True)
    document_path = models.CharField(max_length=200, blank=True, editable=False)
    document_type = models.CharField(max_length=40, blank=True, editable=False)
    document_size = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.SUGGESTED)
    suggested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    topic = models.ForeignKey("forums.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return f"resource {self.pk}"

    @property
    def tag_codes(self) -> list[str]:
        return [tagging.tag for tagging in self.taggings.all()]

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(ResourceTag.choices)
        return [str(labels.get(code, code)) for code in self.tag_codes]


class ResourceTagging(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="taggings")
    tag = models.CharField(max_length=30, choices=ResourceTag.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "tag"], name="forum_resource_tag_once")]
        indexes = [models.Index(fields=["tag", "resource"])]

    def __str__(self) -> str:
        return f"{self.tag} on resource {self.resource_id}"
