"""Writes for forum posting: topics, posts and their edits, reactions, follows, bookmarks, read
state, drafts, reading preferences, images, communities and invitations.

Every write checks its policy, runs in one transaction, writes an audit row (ids and codes only:
never text, never who wrote an anonymous post beyond the actor id the audit log always keeps) and
sends notifications whose titles are fixed and whose links carry no author.

Hooks for the moderation concern (watched words, the queue): `BEFORE_PUBLISH` callables run
before a post is written and may raise PostRefused; `AFTER_PUBLISH` callables run inside the
transaction once the post exists (e.g. to queue it for review). An author's edit runs the same
checks: `BEFORE_PUBLISH` on the new text before anything is written, `AFTER_EDIT` inside the
edit's transaction (a "queue" word added by an edit puts the post in the queue as a new post would).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import Profile, User
from peerhaven.core.audit import audit_log
from peerhaven.forums.markdown import mentioned_names, render_markdown
from peerhaven.forums.models.posting import (
    POST_BODY_MAX_LENGTH,
    Audience,
    Bookmark,
    CollapseMode,
    CollapsePreference,
    Community,
    CommunityFollow,
    CommunityMembership,
    ContentNote,
    Draft,
    ForumImage,
    Mention,
    Post,
    PostIdentity,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadingPreference,
    Topic,
    TopicFollow,
    TopicReadState,
)
from peerhaven.forums.policies.posting import (
    allowed_identity_modes,
    can_bookmark,
    can_edit_post,
    can_post,
    can_post_in_community,
    can_react,
    can_read_community,
    can_read_topic,
    is_forum_moderator,
    is_own_post,
)
from peerhaven.notifications.services import notify
from peerhaven.safety.policies import is_blocked_between

# New members (joined less than NEW_MEMBER_DAYS ago) may write at most this many posts a day;
# everyone at most POSTS_PER_HOUR an hour. Counted in the database, so every web node agrees.
NEW_MEMBER_DAYS = 7
NEW_MEMBER_POSTS_PER_DAY = 10
POSTS_PER_HOUR = 30
MAX_MENTIONS_NOTIFIED = 10
IMAGE_STORAGE_DIR = "forum-images"


class PostRefused(Exception):
    """A post that may not be published (limits, watched words): a kind message, a 4xx."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


class PostingLimitReached(PostRefused):
    pass


@dataclass(frozen=True)
class PostDraftText:
    """What the author wrote, handed to moderation hooks before anything is saved."""

    actor: Any
    community: Community
    topic: Topic | None
    title: str
    body: str


BEFORE_PUBLISH: list[Callable[[PostDraftText], None]] = []
AFTER_PUBLISH: list[Callable[[Post], None]] = []
AFTER_EDIT: list[Callable[[Post], None]] = []


# --- helpers ---------------------------------------------------------------------------------
def _check_identity(actor: Any, identity_mode: str) -> None:
    if identity_mode not in allowed_identity_modes(actor):
        raise ValidationError({"identity_mode": _("You cannot post this way.")})


def _check_note(content_note: str) -> None:
    if content_note and content_note not in ContentNote.values:
        raise ValidationError({"content_note": _("Choose a content note from the list.")})


def _check_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Please write something first.")})
    if len(text) > POST_BODY_MAX_LENGTH:
        raise ValidationError(
            {"body": _("Keep a post under %(limit)d characters.") % {"limit": POST_BODY_MAX_LENGTH}}
        )
    return text


def check_posting_limits(actor: Any, *, now: dt.datetime | None = None) -> None:
    """New members' daily limit and everyone's hourly limit. Moderators are not limited."""
    if is_forum_moderator(actor):
        return
    now = now or timezone.now()
    mine = Post.objects.filter(author=actor)
    if mine.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= POSTS_PER_HOUR:
        raise PostingLimitReached(
            _("You have posted a lot in the last hour. Please take a pause and try again later."),
            code="hourly_limit",
        )
    joined = getattr(actor, "date_joined", None)
    if joined is not None and now - joined < dt.timedelta(days=NEW_MEMBER_DAYS):
        if mine.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= NEW_MEMBER_POSTS_PER_DAY:
            raise PostingLimitReached(
                _(
                    "New members can write %(count)d posts a day during their first week. "
                    "Your draft is kept; please post it tomorrow."
                )
                % {"count": NEW_MEMBER_POSTS_PER_DAY},
                code="new_member_limit",
            )


def post_link(post: Post) -> str:
    return reverse("forums:post", kwargs={"pk": post.pk})


def _notify_safely(*, user: User, kind: str, link: str) -> None:
    if user.suspended_at is None and user.erased_at is None:
        notify(user=user, kind=kind, link=link)


def _mention_targets(post: Post, names: Iterable[str]) -> list[User]:
    wanted = [name for name in names][:MAX_MENTIONS_NOTIFIED * 2]
    if not wanted:
        return []
    profiles = (
        Profile.objects.annotate(lower_pseudonym=Lower("pseudonym"))
        .filter(lower_pseudonym__in=wanted)
        .select_related("user")
    )
    targets: list[User] = []
    for profile in profiles:
        member = profile.user
        if member.pk == post.author_id or not can_read_topic(member, post.topic):
            continue
        # A mention never crosses a block, either way. For an anonymous author nothing is shown
        # to them about who got notified, so this reveals nothing.
        if post.author is not None and is_blocked_between(member, post.author):
            continue
        targets.append(member)
    return targets[:MAX_MENTIONS_NOTIFIED]


def _record_mentions(post: Post, *, already: set[int] | None = None) -> None:
    already = already or set()
    link = post_link(post)
    for member in _mention_targets(post, mentioned_names(post.body)):
        if member.pk in already:
            continue
        Mention.objects.get_or_create(post=post, member=member)
        # Fixed title, no content and no author: the same for anonymous and named posts.
        _notify_safely(user=member, kind="forums.mention", link=link)


def _notify_followers(post: Post, *, new_topic: bool) -> None:
    link = post_link(post)
    author = post.author
    notified: set[int] = {post.author_id} if post.author_id else set()
    follows = TopicFollow.objects.filter(topic=post.topic).select_related("member")
    kind = "forums.reply"
    if new_topic:
        follows = CommunityFollow.objects.filter(community=post.topic.community).select_related("member")  # type: ignore[assignment]
        kind = "forums.topic"
    for follow in follows:
        member = follow.member
        if member.pk in notified:
            continue
        notified.add(member.pk)
        if not can_read_topic(member, post.topic):
            continue
        if author is not None and post.identity_mode != PostIdentity.ANONYMOUS and is_blocked_between(member, author):
            continue
        _notify_safely(user=member, kind=kind, link=link)


def _run_before_publish(text: PostDraftText) -> None:
    for hook in BEFORE_PUBLISH:
        hook(text)


def _insert_post(
    *,
    actor: Any,
    topic: Topic,
    body: str,
    identity_mode: str,
    content_note: str,
    reply_to: Post | None,
    now: dt.datetime,
) -> Post:
    # The topic row lock serialises numbering: two replies at once get numbers n and n+1.
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    number = locked.post_count + 1
    post = Post(
        topic=locked,
        author=actor,
        identity_mode=identity_mode,
        number=number,
        body=body,
        rendered_html=render_markdown(body),
        content_note=content_note,
        reply_to=reply_to,
        created_at=now,
    )
    post.full_clean()
    post.save()
    Topic.objects.filter(pk=locked.pk).update(post_count=number, last_post_at=now)
    topic.post_count = number
    topic.last_post_at = now
    # The author has read their own post, and follows the topic they write in.
    TopicReadState.objects.update_or_create(
        topic=locked, member=actor, defaults={"last_read_number": number, "updated_at": now}
    )
    TopicFollow.objects.get_or_create(topic=locked, member=actor)
    return post


def _after_publish(post: Post, *, new_topic: bool, actor: Any, community: Community) -> None:
    draft_filter = {"member": actor, "community": community}
    Draft.objects.filter(**draft_filter, topic=None if new_topic else post.topic).delete()
    for hook in AFTER_PUBLISH:
        hook(post)
    _record_mentions(post)
    _notify_followers(post, new_topic=new_topic)


def _audit_actor(actor: Any, post: Post, request: HttpRequest | None) -> tuple[Any, HttpRequest | None]:
    """Whom an audit row about `post` names: nobody, and no address, when the anonymous author
    acts on their own post; otherwise any one staff member reading the audit log would learn who
    wrote it, and the reveal takes two (found by the moderation concern's anonymity canary)."""
    if post.identity_mode == PostIdentity.ANONYMOUS and post.author_id == getattr(actor, "pk", None):
        return None, None
    return actor, request


def _phi_audit(actor: Any, post: Post, request: HttpRequest | None, phi_categories: Iterable[str]) -> None:
    categories = sorted(set(phi_categories))
    if categories:
        audit_actor, audit_request = _audit_actor(actor, post, request)
        audit_log("forums.post.phi_warned", actor=audit_actor, target=post, request=audit_request,
                  categories=categories)


# --- topics and posts ------------------------------------------------------------------------
def topic_create(
    *,
    actor: Any,
    community: Community,
    title: str,
    body: str,
    identity_mode: str = PostIdentity.PSEUDONYM,
    content_note: str = "",
    request: HttpRequest | None = None,
    phi_categories: Iterable[str] = (),
) -> Topic:
    if not can_post_in_community(actor, community):
        raise PermissionDenied(_("You cannot start a topic here."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Please give the topic a title.")})
    body = _check_body(body)
    _check_identity(actor, identity_mode)
    _check_note(content_note)
    check_posting_limits(actor)
    _run_before_publish(PostDraftText(actor=actor, community=community, topic=None, title=title, body=body))
    now = timezone.now()
    with transaction.atomic():
        topic = Topic(community=community, title=title, created_at=now, last_post_at=now)
        topic.full_clean()
        topic.save()
        post = _insert_post(actor=actor, topic=topic, body=body, identity_mode=identity_mode,
                            content_note=content_note, reply_to=None, now=now)
        audit_actor, audit_request = _audit_actor(actor, post, request)
        audit_log("forums.topic.create", actor=audit_actor, target=topic, request=audit_request,
                  community=community.pk, post=post.pk)
        _phi_audit(actor, post, request, phi_categories)
        _after_publish(post, new_topic=True, actor=actor, community=community)
    return topic


def post_create(
    *,
    actor: Any,
    topic: Topic,
    body: str,
    identity_mode: str = PostIdentity.PSEUDONYM,
    content_note: str = "",
    reply_to: Post | None = None,
    request: HttpRequest | None = None,
    phi_categories: Iterable[str] = (),
) -> Post:
    if not can_post(actor, topic):
        raise PermissionDenied(_("You cannot reply in this topic."))
    body = _check_body(body)
    _check_identity(actor, identity_mode)
    _check_note(content_note)
    if reply_to is not None and reply_to.topic_id != topic.pk:
        raise ValidationError({"reply_to": _("You can only reply to a post in the same topic.")})
    check_posting_limits(actor)
    _run_before_publish(
        PostDraftText(actor=actor, community=topic.community, topic=topic, title="", body=body)
    )
    with transaction.atomic():
        post = _insert_post(actor=actor, topic=topic, body=body, identity_mode=identity_mode,
                            content_note=content_note, reply_to=reply_to, now=timezone.now())
        audit_actor, audit_request = _audit_actor(actor, post, request)
        audit_log("forums.post.create", actor=audit_actor, target=post, request=audit_request, topic=topic.pk)
        _phi_audit(actor, post, request, phi_categories)
        _after_publish(post, new_topic=False, actor=actor, community=topic.community)
    return post


def post_edit(
    *,
    actor: Any,
    post: Post,
    body: str,
    content_note: str | None = None,
    title: str | None = None,
    request: HttpRequest | None = None,
    phi_categories: Iterable[str] = (),
) -> Post:
    """Edit a post (its author, or a moderator). The previous text goes into the history."""
    if not can_edit_post(actor, post):
        raise PermissionDenied(_("You cannot edit this post."))
    body = _check_body(body)
    note = post.content_note if content_note is None else content_note
    _check_note(note)
    by_moderator = not is_own_post(actor, post)
    if not by_moderator:
        _run_before_publish(
            PostDraftText(actor=actor, community=post.topic.community, topic=post.topic, title=title or "", body=body)
        )
    now = timezone.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.body == body and locked.content_note == note and title is None:
            return post
        PostRevision.objects.create(
            post=locked, body=locked.body, content_note=locked.content_note, replaced_at=now,
            by_moderator=by_moderator,
        )
        before = set(Mention.objects.filter(post=locked).values_list("member_id", flat=True))
        post.body = body
        post.content_note = note
        post.rendered_html = render_markdown(body)
        post.edited_at = now
        post.full_clean()
        post.save(update_fields=["body", "content_note", "rendered_html", "edited_at"])
        if title is not None and post.number == 1:
            cleaned_title = title.strip()
            if not cleaned_title:
                raise ValidationError({"title": _("Please give the topic a title.")})
            Topic.objects.filter(pk=post.topic_id).update(title=cleaned_title[:140])
            post.topic.title = cleaned_title[:140]
        audit_actor, audit_request = _audit_actor(actor, post, request)
        audit_log("forums.post.edit", actor=audit_actor, target=post, request=audit_request, by_moderator=by_moderator)
        _phi_audit(actor, post, request, phi_categories)
        if not by_moderator:
            # The author's new text is checked as a new post would be (a moderator's edit is
            # the review itself).
            for hook in AFTER_EDIT:
                hook(post)
        _record_mentions(post, already=before)
    return post


# --- reactions, follows, bookmarks, read state -----------------------------------------------
def reaction_set(*, actor: Any, post: Post, kind: str, on: bool) -> bool:
    """Add (on=True) or take back a support reaction. Returns whether it is now on."""
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": _("Choose one of the support reactions.")})
    if not can_react(actor, post):
        raise PermissionDenied(_("You cannot react to this post."))
    with transaction.atomic():
        if on:
            try:
                with transaction.atomic():
                    Reaction.objects.get_or_create(post=post, member=actor, kind=kind)
            except IntegrityError:
                pass  # a double click: the reaction is there either way
        else:
            Reaction.objects.filter(post=post, member=actor, kind=kind).delete()
    return on


def reaction_toggle(*, actor: Any, post: Post, kind: str) -> bool:
    exists = Reaction.objects.filter(post=post, member=actor, kind=kind).exists()
    return reaction_set(actor=actor, post=post, kind=kind, on=not exists)


def topic_follow_set(*, actor: Any, topic: Topic, following: bool) -> bool:
    if not can_read_topic(actor, topic):
        raise PermissionDenied(_("You cannot follow this topic."))
    if following:
        TopicFollow.objects.get_or_create(topic=topic, member=actor)
    else:
        TopicFollow.objects.filter(topic=topic, member=actor).delete()
    return following


def community_follow_set(*, actor: Any, community: Community, following: bool) -> bool:
    if not can_read_community(actor, community):
        raise PermissionDenied(_("You cannot follow this community."))
    if following:
        CommunityFollow.objects.get_or_create(community=community, member=actor)
    else:
        CommunityFollow.objects.filter(community=community, member=actor).delete()
    return following


def bookmark_set(*, actor: Any, post: Post, on: bool) -> bool:
    if not can_bookmark(actor, post):
        raise PermissionDenied(_("You cannot bookmark this post."))
    if on:
        Bookmark.objects.get_or_create(post=post, member=actor)
    else:
        Bookmark.objects.filter(post=post, member=actor).delete()
    return on


def topic_mark_read(*, actor: Any, topic: Topic, up_to: int) -> None:
    """Remember that `actor` has seen posts up to number `up_to` (never moves backwards)."""
    if not getattr(actor, "is_authenticated", False) or up_to <= 0:
        return
    up_to = min(up_to, topic.post_count)
    updated = TopicReadState.objects.filter(topic=topic, member=actor, last_read_number__lt=up_to).update(
        last_read_number=up_to, updated_at=timezone.now()
    )
    if not updated:
        try:
            with transaction.atomic():
                TopicReadState.objects.get_or_create(
                    topic=topic, member=actor, defaults={"last_read_number": up_to}
                )
        except IntegrityError:
            pass  # another tab got there first


# --- drafts and preferences -------------------------------------------------------------------
def draft_save(
    *,
    actor: Any,
    community: Community,
    topic: Topic | None,
    title: str = "",
    body: str = "",
    identity_mode: str = PostIdentity.PSEUDONYM,
    content_note: str = "",
) -> Draft | None:
    """Autosave. An empty draft is removed rather than kept."""
    if topic is not None:
        if topic.community_id != community.pk or not can_post(actor, topic):
            raise PermissionDenied(_("You cannot write here."))
    elif not can_post_in_community(actor, community):
        raise PermissionDenied(_("You cannot write here."))
    if identity_mode not in allowed_identity_modes(actor):
        identity_mode = PostIdentity.PSEUDONYM
    if content_note not in ContentNote.values:
        content_note = ""
    title = (title or "")[:140]
    body = (body or "")[:POST_BODY_MAX_LENGTH]
    lookup = {"member": actor, "community": community, "topic": topic}
    if not title.strip() and not body.strip():
        Draft.objects.filter(**lookup).delete()
        return None
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(**lookup).first()
        if draft is None:
            draft = Draft(**lookup)
        draft.title = title
        draft.body = body
        draft.identity_mode = identity_mode
        draft.content_note = content_note
        draft.updated_at = timezone.now()
        draft.save()
    return draft


def draft_delete(*, actor: Any, draft: Draft) -> None:
    if draft.member_id != actor.pk:
        raise PermissionDenied(_("This is not your draft."))
    draft.delete()


def reading_preference_update(*, actor: Any, collapse_mode: str, notes: Iterable[str]) -> ReadingPreference:
    if collapse_mode not in CollapseMode.values:
        raise ValidationError({"collapse_mode": _("Choose one of the options.")})
    chosen = {note for note in notes if note in ContentNote.values}
    with transaction.atomic():
        preference, _created = ReadingPreference.objects.update_or_create(
            member=actor, defaults={"collapse_mode": collapse_mode, "updated_at": timezone.now()}
        )
        CollapsePreference.objects.filter(member=actor).exclude(content_note__in=chosen).delete()
        for note in sorted(chosen):
            CollapsePreference.objects.get_or_create(member=actor, content_note=note)
    return preference


# --- images ----------------------------------------------------------------------------------
def forum_image_upload(*, actor: Any, community: Community, upload: UploadedFile,
                       request: HttpRequest | None = None) -> ForumImage:
    """Check the upload by its content and re-encode it (the verification app's safe upload
    path: no metadata survives); only JPEG and PNG images."""
    from peerhaven.verification.documents import check_upload

    if not can_post_in_community(actor, community):
        raise PermissionDenied(_("You cannot add images here."))
    checked = check_upload(upload)
    if checked.content_type not in {"image/jpeg", "image/png"}:
        raise ValidationError(_("Please upload a JPEG or PNG image."), code="file_type")
    with transaction.atomic():
        image = ForumImage(uploader=actor, community=community, content_type=checked.content_type,
                           size=checked.size)
        extension = "jpg" if checked.content_type == "image/jpeg" else "png"
        image.storage_path = str(
            default_storage.save(f"{IMAGE_STORAGE_DIR}/{image.key}.{extension}", ContentFile(checked.content))
        )
        image.save()
        # No actor and no address: the image may go into an anonymous post, and a row naming its
        # uploader beside the image's key would name the post's author to anyone reading the log.
        audit_log("forums.image.upload", target=image, community=community.pk)
    return image


# --- communities (staff, demo, tests) ----------------------------------------------------------
def community_create(
    *,
    actor: Any,
    slug: str,
    name: str,
    description: str = "",
    audience: str = Audience.VERIFIED,
    audience_role: str = "",
    posting_rules: str = "",
    position: int = 0,
    request: HttpRequest | None = None,
) -> Community:
    with transaction.atomic():
        community = Community(slug=slug, name=name, description=description, audience=audience,
                              audience_role=audience_role, posting_rules=posting_rules, position=position)
        community.full_clean()
        community.save()
        audit_log("forums.community.create", actor=actor, target=community, request=request)
    return community


def community_invite(*, actor: Any, community: Community, member: User,
                     request: HttpRequest | None = None) -> CommunityMembership:
    if community.audience != Audience.INVITATION:
        raise ValidationError(_("Only invitation-only communities take invitations."))
    with transaction.atomic():
        membership, created = CommunityMembership.objects.get_or_create(
            community=community, member=member, defaults={"invited_by": actor if getattr(actor, "pk", None) else None}
        )
        if created:
            audit_log("forums.community.invite", actor=actor, target=community, request=request, member=member.pk)
            _notify_safely(user=member, kind="forums.invited",
                           link=reverse("forums:community", kwargs={"slug": community.slug}))
    return membership



# --- retention -------------------------------------------------------------------------------
DRAFT_RETENTION_DAYS = 90


def drafts_purge_stale(*, now: dt.datetime | None = None) -> int:
    """Drafts nobody touched for DRAFT_RETENTION_DAYS go: private half-thoughts are not kept
    forever (the daily job in tasks.py)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=DRAFT_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _by_model = Draft.objects.filter(updated_at__lt=cutoff).delete()
        if deleted:
            audit_log("retention.forum_drafts", count=deleted)
    return deleted
