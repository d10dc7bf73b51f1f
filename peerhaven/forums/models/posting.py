"""forums models: communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes.

Post bodies are stored in plain text (not EncryptedTextField) because members search them with
the database's full-text index; see docs/decisions/0009-forums.md. Drafts, which nobody searches,
are encrypted at rest.

The author of a post is always stored (moderation, limits, the member's own export) but the
author of an anonymous post is never shown: every display goes through
`peerhaven.forums.policies.posting.post_author_label`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.accounts.models import Role
from peerhaven.core.fields import EncryptedTextField

__all__ = [
    "POST_BODY_MAX_LENGTH",
    "TOPIC_TITLE_MAX_LENGTH",
    "Audience",
    "Bookmark",
    "CollapseMode",
    "CollapsePreference",
    "Community",
    "CommunityFollow",
    "CommunityMembership",
    "ContentNote",
    "Draft",
    "ForumImage",
    "Mention",
    "Post",
    "PostIdentity",
    "PostRevision",
    "Reaction",
    "ReactionKind",
    "ReadingPreference",
    "Topic",
    "TopicFollow",
    "TopicReadState",
]

POST_BODY_MAX_LENGTH = 20000
TOPIC_TITLE_MAX_LENGTH = 140


class Audience(models.TextChoices):
    VERIFIED = "verified", _("All verified members")
    ROLE = "role", _("Members holding a role")
    INVITATION = "invitation", _("Invitation only")


class Community(models.Model):
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.VERIFIED
    )
    # Only with Audience.ROLE: the role a member needs to read and post.
    audience_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    posting_rules = models.TextField(_("posting rules"), max_length=4000, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "name", "pk"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return f"community {self.pk}"

    def clean(self) -> None:
        if self.audience == Audience.ROLE and not self.audience_role:
            raise ValidationError({"audience_role": _("Choose the role this community is for.")})
        if self.audience != Audience.ROLE and self.audience_role:
            raise ValidationError(
                {"audience_role": _("A role is only chosen for role communities.")}
            )


class CommunityMembership(models.Model):
    """Who was invited into an invitation-only community (and so may read and post there)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_memberships"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "member"], name="forums_membership_once")
        ]

    def __str__(self) -> str:
        return f"membership {self.pk}"


class Topic(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=TOPIC_TITLE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    locked = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Denormalised: the number of posts ever written in the topic (post numbers run 1..post_count);
    # written only under a row lock of the topic in post_create.
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-pinned", "-last_post_at", "-pk"]
        indexes = [
            models.Index(
                fields=["community", "-pinned", "-last_post_at"], name="forums_topic_listing"
            )
        ]

    def __str__(self) -> str:
        return f"topic {self.pk}"


class PostIdentity(models.TextChoices):
    PSEUDONYM = "pseudonym", _("My pseudonym")
    DISPLAY_NAME = "display_name", _("My display name")
    ANONYMOUS = "anonymous", _("Anonymously (shown as “Verified clinician”)")


class ContentNote(models.TextChoices):
    SUICIDE = "suicide", _("Suicide")
    SELF_HARM = "self_harm", _("Self-harm")
    CLIENT_DEATH = "client_death", _("Client death")
    ABUSE = "abuse", _("Abuse")
    VIOLENCE = "violence", _("Violence")
    GRIEF = "grief", _("Grief")
    OTHER = "other", _("Other difficult content")


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    # Kept for anonymous posts too (limits, moderation relay, the author's own export), never
    # shown. Null once the author was erased and the post kept ("former member").
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_posts",
    )
    identity_mode = models.CharField(
        _("post as"), max_length=20, choices=PostIdentity.choices, default=PostIdentity.PSEUDONYM
    )
    # Position in the topic, from 1: pagination and read tracking use it.
    number = models.PositiveIntegerField()
    # Markdown source. Not encrypted: full-text search needs it (decision 0009).
    body = models.TextField(_("message"), max_length=POST_BODY_MAX_LENGTH)
    # Sanitised HTML cached at write time (markdown-it-py + nh3).
    rendered_html = models.TextField(blank=True)
    content_note = models.CharField(
        _("content note"), max_length=20, choices=ContentNote.choices, blank=True
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["topic", "number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="forums_post_number_once")
        ]
        indexes = [
            models.Index(fields=["author", "created_at"], name="forums_post_author_recent"),
            models.Index(fields=["-created_at"], name="forums_post_newest"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return self.identity_mode == PostIdentity.ANONYMOUS

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None


class PostRevision(models.Model):
    """The text a post had before an edit. No editor column: for an anonymous post that would
    name the author; `by_moderator` says whether a moderator (rather than the author) edited."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=POST_BODY_MAX_LENGTH)
    content_note = models.CharField(max_length=20, choices=ContentNote.choices, blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)
    by_moderator = models.BooleanField(default=False)

    class Meta:
        ordering = ["post", "-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"revision {self.pk}"


class ReactionKind(models.TextChoices):
    # Support, never scores: no likes, nothing ranked by reactions.
    SUPPORT = "support", _("Sending support")
    ME_TOO = "me_too", _("Me too")
    HELPFUL = "helpful", _("Helpful")


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_reactions"
    )
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member", "kind"], name="forums_reaction_once")
        ]

    def __str__(self) -> str:
        return f"reaction {self.pk}"


class TopicFollow(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_topic_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "member"], name="forums_topic_follow_once")
        ]

    def __str__(self) -> str:
        return f"topic follow {self.pk}"


class CommunityFollow(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_community_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member"], name="forums_community_follow_once"
            )
        ]

    def __str__(self) -> str:
        return f"community follow {self.pk}"


class Bookmark(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bookmarks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="forums_bookmark_once")
        ]

    def __str__(self) -> str:
        return f"bookmark {self.pk}"


class TopicReadState(models.Model):
    """How far a member has read a topic: the highest post number seen."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_read_states"
    )
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "member"], name="forums_read_state_once")
        ]

    def __str__(self) -> str:
        return f"read state {self.pk}"


class Draft(models.Model):
    """What a member is writing, autosaved: a reply (topic set) or a new topic (community set,
    no topic). Private text, nobody searches it: encrypted at rest."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_drafts"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = EncryptedTextField(blank=True)
    body = EncryptedTextField(blank=True)
    identity_mode = models.CharField(
        max_length=20, choices=PostIdentity.choices, default=PostIdentity.PSEUDONYM
    )
    content_note = models.CharField(max_length=20, choices=ContentNote.choices, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "topic"],
                condition=models.Q(topic__isnull=False),
                name="forums_reply_draft_once",
            ),
            models.UniqueConstraint(
                fields=["member", "community"],
                condition=models.Q(topic__isnull=True),
                name="forums_topic_draft_once",
            ),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk}"


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_mentions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="forums_mention_once")
        ]

    def __str__(self) -> str:
        return f"mention {self.pk}"


class CollapseMode(models.TextChoices):
    ALL = "all", _("Collapse every post with a content note")
    CHOSEN = "chosen", _("Collapse only the notes I choose")
    NONE = "none", _("Collapse none (show the note above the post)")


class ReadingPreference(models.Model):
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_reading_preference"
    )
    collapse_mode = models.CharField(
        _("posts with content notes"),
        max_length=10,
        choices=CollapseMode.choices,
        default=CollapseMode.ALL,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"reading preference {self.pk}"


class CollapsePreference(models.Model):
    """A content note this reader always wants collapsed (used with CollapseMode.CHOSEN)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_collapse_notes"
    )
    content_note = models.CharField(max_length=20, choices=ContentNote.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "content_note"], name="forums_collapse_note_once"
            )
        ]

    def __str__(self) -> str:
        return f"collapse preference {self.pk}"


def _forum_image_name() -> str:
    return uuid.uuid4().hex


class ForumImage(models.Model):
    """An image uploaded for a post: checked by content and re-encoded (no metadata) through
    verification.documents.check_upload, served only through an authorised view."""

    key = models.CharField(max_length=32, unique=True, default=_forum_image_name, editable=False)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    storage_path = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"forum image {self.pk}"
