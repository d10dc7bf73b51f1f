"""forums services: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library.

Every write is audited with codes and ids only. For an anonymous post no audit row, log line,
notification or message names its author next to it: the author is resolved inside the
service and never returned to a moderator (the reveal is the one, two-staff, exception).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User
from peerhaven.core.audit import audit_log
from peerhaven.core.crypto import decrypt_bytes, encrypt_bytes
from peerhaven.forums.models.moderation import (
    DigestDelivery,
    DigestFrequency,
    DigestPreference,
    ForumSettings,
    ModerationWarning,
    RelayDirection,
    RelayMessage,
    Resource,
    ResourceKind,
    ResourceStatus,
    ResourceTag,
    ResourceTagging,
    RevealRequest,
    RevealStatus,
    WatchedWord,
    WatchedWordAction,
)
from peerhaven.forums.models.posting import Community, Post, PostIdentity, Topic
from peerhaven.forums.policies.moderation import (
    can_choose_digest,
    can_decide_reveal,
    can_manage_forum_settings,
    can_manage_watched_words,
    can_moderate_forums,
    can_publish_resources,
    can_relay_as_author,
    can_relay_as_moderator,
    can_request_reveal,
    can_see_revealed_identity,
    can_suggest_resource,
    can_suspend_from_forums,
)
from peerhaven.forums.policies.posting import can_read_community
from peerhaven.forums.selectors.moderation import DigestPeriod, DigestSummary
from peerhaven.forums.services.posting import PostDraftText, PostRefused
from peerhaven.safety.models import Report, ReportReason, ReportStatus, ReportTarget
from peerhaven.safety.services import ReportAlreadyHandled, report_action, report_dismiss

DIGEST_KIND = "forums.digest"
DIGEST_EMAIL_CONTEXT_KEYS = frozenset(
    {"org_name", "period_label", "lines", "total", "link_url", "unsubscribe_url", "preferences_url"}
)


# --- watched words -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """What the watched words say about a text: "allow", "queue" (post it, and put it in the
    moderation queue) or "block" (refuse it). `matched` lists the watched entries' ids."""

    action: str
    matched: tuple[int, ...] = ()

    @property
    def blocked(self) -> bool:
        return self.action == WatchedWordAction.BLOCK

    @property
    def queued(self) -> bool:
        return self.action == WatchedWordAction.QUEUE


ALLOW = Verdict("allow")
_SPACES = re.compile(r"\s+", re.UNICODE)


def normalise_watched(text: str) -> str:
    """NFKC (full-width and compatibility forms become plain letters), case-folded (so "ß"
    matches "SS"), runs of white space as one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@lru_cache(maxsize=8)
def _compiled(entries: tuple[tuple[int, str, str], ...]) -> list[tuple[int, str, re.Pattern[str]]]:
    # One pattern per entry: "whole word" means no word character (Unicode-aware \w) right
    # before or after, so "rape" does not match "grapes" and "ética" matches in "la ética,".
    compiled = []
    for pk, normalised, action in entries:
        body = r"\s+".join(re.escape(part) for part in normalised.split(" "))
        compiled.append((pk, action, re.compile(rf"(?<!\w){body}(?!\w)", re.UNICODE)))
    return compiled


def check_watched_words(text: str) -> Verdict:
    """The hook the posting services call for every new post and topic (title and body).

    "block" wins over "queue"; no match is "allow". One query for the (short) list.
    """
    entries = tuple(WatchedWord.objects.order_by("pk").values_list("pk", "normalised", "action"))
    if not entries or not text:
        return ALLOW
    haystack = normalise_watched(text)
    matched: list[int] = []
    blocked = False
    for pk, action, pattern in _compiled(entries):
        if pattern.search(haystack):
            matched.append(pk)
            blocked = blocked or action == WatchedWordAction.BLOCK
    if not matched:
        return ALLOW
    return Verdict(WatchedWordAction.BLOCK if blocked else WatchedWordAction.QUEUE, tuple(matched))


def watched_word_add(*, actor: User, word: str, action: str, request: HttpRequest | None = None) -> WatchedWord:
    if not can_manage_watched_words(actor):
        raise PermissionDenied
    normalised = normalise_watched(word)
    if not normalised or not any(character.isalnum() for character in normalised):
        raise ValidationError({"word": _("Enter a word or phrase with at least one letter or digit.")})
    try:
        with transaction.atomic():
            entry = WatchedWord(word=word.strip(), normalised=normalised, action=action, created_by=actor)
            entry.full_clean(exclude=["normalised"])
            entry.save()
            # The word itself stays out of the audit log (it may be a slur); the id is enough.
            audit_log("forum.watched_word.add", actor=actor, target=entry, request=request, action_code=action)
    except IntegrityError as exc:
        raise ValidationError({"word": _("This word is already on the list.")}) from exc
    return entry


def watched_word_remove(*, actor: User, entry: WatchedWord, request: HttpRequest | None = None) -> None:
    if not can_manage_watched_words(actor):
        raise PermissionDenied
    with transaction.atomic():
        audit_log("forum.watched_word.remove", actor=actor, target=entry, request=request)
        WatchedWord.objects.filter(pk=entry.pk).delete()


def watched_words_before_publish(text: PostDraftText) -> None:
    """BEFORE_PUBLISH hook of the posting services: a "block" word refuses the post."""
    verdict = check_watched_words(f"{text.title}\n{text.body}")
    if verdict.blocked:
        raise PostRefused(
            _("This post contains a word or phrase the community does not allow. Please rephrase it."),
            code="watched_word",
        )


def watched_words_after_publish(post: Post) -> None:
    """AFTER_PUBLISH and AFTER_EDIT hook (inside the posting transaction): a "queue" word puts the
    new or edited post in the moderation queue as a report with no reporter. The post stays up
    until reviewed."""
    title = post.topic.title if post.number == 1 else ""
    verdict = check_watched_words(f"{title}\n{post.body}")
    if not verdict.queued:
        return
    post_type = ContentType.objects.get_for_model(Post)
    if Report.objects.filter(
        reporter=None, content_type=post_type, object_id=post.pk, status=ReportStatus.OPEN
    ).exists():
        return  # an edit of a post already waiting in the queue: one automatic report is enough
    report = Report(
        reporter=None, target_kind=ReportTarget.CONTENT,
        content_type=post_type, object_id=post.pk,
        reason=ReportReason.OTHER, details=_("Automatic: the post contains a watched word."),
    )
    report.full_clean(exclude=["reporter"])  # no reporter: the system flagged it
    report.save()
    # No actor: the system queued it (for an anonymous post an actor would name the author).
    audit_log("forum.post.watched_word_queue", target=post, report=report.pk, words=list(verdict.matched))


# --- moderation actions ---------------------------------------------------------------------------
def _close_reports(*, actor: User, post: Post | None = None, topic: Topic | None = None, note: str,
                   request: HttpRequest | None) -> int:
    """Close the open reports about the content acted on, as actioned; reporters are told."""
    closed = 0
    targets: list[tuple[type[Post] | type[Topic], int]] = []
    if post is not None:
        targets.append((Post, post.pk))
    if topic is not None:
        targets.append((Topic, topic.pk))
    for model, pk in targets:
        content_type = ContentType.objects.get_for_model(model)
        for report in Report.objects.filter(content_type=content_type, object_id=pk, status=ReportStatus.OPEN):
            try:
                report_action(actor=actor, report=report, note=note, request=request)
                closed += 1
            except ReportAlreadyHandled:
                continue
    return closed


def _moderator(actor: User) -> None:
    if not can_moderate_forums(actor):
        raise PermissionDenied


def post_hide(*, actor: User, post: Post, request: HttpRequest | None = None) -> Post:
    _moderator(actor)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.hidden_at is None:
            locked.hidden_at = timezone.now()
            locked.hidden_by = actor
            locked.save(update_fields=["hidden_at", "hidden_by"])
            audit_log("forum.post.hide", actor=actor, target=locked, request=request)
        _close_reports(actor=actor, post=locked, note=str(_("The post was hidden.")), request=request)
    return locked


def post_restore(*, actor: User, post: Post, request: HttpRequest | None = None) -> Post:
    _moderator(actor)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.hidden_at is not None:
            locked.hidden_at = None
            locked.hidden_by = None
            locked.save(update_fields=["hidden_at", "hidden_by"])
            audit_log("forum.post.restore", actor=actor, target=locked, request=request)
    return locked


def post_soft_delete(*, actor: User, post: Post, request: HttpRequest | None = None) -> Post:
    """Delete for everyone (the row stays, for the record and the author's export)."""
    _moderator(actor)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.save(update_fields=["deleted_at"])
            audit_log("forum.post.delete", actor=actor, target=locked, request=request)
        _close_reports(actor=actor, post=locked, note=str(_("The post was deleted.")), request=request)
    return locked


def reports_dismiss_for_post(*, actor: User, post: Post, request: HttpRequest | None = None) -> int:
    """Keep the post: the open reports about it are dismissed."""
    _moderator(actor)
    dismissed = 0
    content_type = ContentType.objects.get_for_model(Post)
    with transaction.atomic():
        for report in Report.objects.filter(content_type=content_type, object_id=post.pk, status=ReportStatus.OPEN):
            try:
                report_dismiss(actor=actor, report=report, note=str(_("Reviewed: the post stays.")), request=request)
                dismissed += 1
            except ReportAlreadyHandled:
                continue
    return dismissed


def topic_lock_set(*, actor: User, topic: Topic, locked: bool, request: HttpRequest | None = None) -> Topic:
    _moderator(actor)
    with transaction.atomic():
        row = Topic.objects.select_for_update().get(pk=topic.pk)
        if row.locked != locked:
            row.locked = locked
            row.save(update_fields=["locked"])
            audit_log("forum.topic.lock" if locked else "forum.topic.unlock", actor=actor, target=row, request=request)
    return row


def topic_move(*, actor: User, topic: Topic, community: Community, request: HttpRequest | None = None) -> Topic:
    _moderator(actor)
    if not can_read_community(actor, community):
        raise PermissionDenied
    with transaction.atomic():
        row = Topic.objects.select_for_update().get(pk=topic.pk)
        if row.community_id != community.pk:
            origin = row.community_id
            row.community = community
            row.save(update_fields=["community"])
            audit_log("forum.topic.move", actor=actor, target=row, request=request,
                      from_community=origin, to_community=community.pk)
    return row


def topic_soft_delete(*, actor: User, topic: Topic, request: HttpRequest | None = None) -> Topic:
    _moderator(actor)
    with transaction.atomic():
        row = Topic.objects.select_for_update().get(pk=topic.pk)
        if row.deleted_at is None:
            row.deleted_at = timezone.now()
            row.save(update_fields=["deleted_at"])
            audit_log("forum.topic.delete", actor=actor, target=row, request=request)
        _close_reports(actor=actor, topic=row, note=str(_("The topic was deleted.")), request=request)
    return row


def member_warn(*, actor: User, post: Post, reason: str, request: HttpRequest | None = None) -> ModerationWarning:
    """Warn the author of `post`. The notification has a fixed title and links to the member's
    own notices page; for an anonymous post the moderator still never learns who it is."""
    _moderator(actor)
    if post.author_id is None:
        raise ValidationError(_("The author of this post has left; there is nobody to warn."))
    with transaction.atomic():
        warning = ModerationWarning(member_id=post.author_id, post=post, reason=reason, given_by=actor)
        warning.full_clean()
        warning.save()
        # The target is the post, never the member: for an anonymous post that would link them.
        audit_log("forum.post.warn", actor=actor, target=post, request=request, reason=reason)
        author_id = post.author_id
        transaction.on_commit(partial(_notify_member, author_id, "forums.warning", reverse("forums:moderation_notices")))
    return warning


def member_suspend_from_post(*, actor: User, post: Post, reason: str, request: HttpRequest | None = None) -> None:
    """Staff suspend the (named) author through the staff app's service, which audits it and ends
    the member's sessions, tokens and sockets."""
    from peerhaven.staff.services import suspension_start

    if not can_suspend_from_forums(actor, post):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the suspension, for the record.")})
    assert post.author_id is not None  # can_suspend_from_forums checked it
    member = User.objects.get(pk=post.author_id)
    with transaction.atomic():
        suspension_start(actor=actor, member=member, reason=reason, request=request)
        audit_log("forum.post.suspend_author", actor=actor, target=post, request=request)


def _notify_member(user_id: int, kind: str, link: str) -> None:
    from peerhaven.notifications.services import notify

    member = User.objects.filter(pk=user_id, erased_at__isnull=True).first()
    if member is not None:
        notify(user=member, kind=kind, link=link)


# --- the relay -------------------------------------------------------------------------------------
RELAY_MAX_LENGTH = 4000


def _relay_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Please write a message first.")})
    if len(text) > RELAY_MAX_LENGTH:
        raise ValidationError({"body": _("Keep a message under %(limit)d characters.") % {"limit": RELAY_MAX_LENGTH}})
    return text


def relay_send_to_author(*, actor: User, post: Post, body: str, request: HttpRequest | None = None,
                         phi_categories: Iterable[str] = ()) -> RelayMessage:
    """A moderator writes to the unknown author of an anonymous post. `phi_categories`: what the
    PHI guard found and the moderator chose to send anyway (audited: categories only, no text)."""
    if not can_relay_as_moderator(actor, post):
        raise PermissionDenied
    text = _relay_body(body)
    with transaction.atomic():
        message = RelayMessage(post=post, direction=RelayDirection.TO_AUTHOR, sender=actor, body=text)
        message.full_clean()
        message.save()
        audit_log("forum.relay.to_author", actor=actor, target=post, request=request, message=message.pk)
        categories = sorted(set(phi_categories))
        if categories:
            audit_log("forum.relay.phi_warned", actor=actor, target=post, request=request,
                      message=message.pk, categories=categories)
        author_id = post.author_id
        assert author_id is not None
        link = reverse("forums:relay_author", kwargs={"pk": post.pk})
        transaction.on_commit(partial(_notify_member, author_id, "forums.relay", link))
    return message


def relay_reply_from_author(*, actor: User, post: Post, body: str, phi_categories: Iterable[str] = ()) -> RelayMessage:
    """The author answers. The audit row has no actor and no address: with the post as its
    target, either would say who wrote it."""
    if not can_relay_as_author(actor, post):
        raise PermissionDenied
    text = _relay_body(body)
    with transaction.atomic():
        message = RelayMessage(post=post, direction=RelayDirection.FROM_AUTHOR, sender=actor, body=text)
        message.full_clean()
        message.save()
        audit_log("forum.relay.from_author", target=post, message=message.pk)
        categories = sorted(set(phi_categories))
        if categories:  # no actor either: it would name the anonymous author
            audit_log("forum.relay.phi_warned", target=post, message=message.pk, categories=categories)
        moderator_ids = sorted(
            set(
                RelayMessage.objects.filter(post=post, direction=RelayDirection.TO_AUTHOR, sender__isnull=False)
                .values_list("sender_id", flat=True)
            )
        )
        link = reverse("forums:relay_moderator", kwargs={"pk": post.pk})
        for moderator_id in moderator_ids:
            transaction.on_commit(partial(_notify_member, moderator_id, "forums.relay_reply", link))
    return message


def relay_mark_read(*, actor: User, post: Post, direction: str) -> int:
    """Mark the messages `actor` received in this thread read (the other direction's)."""
    with transaction.atomic():
        return RelayMessage.objects.filter(post=post, direction=direction, read_at__isnull=True).update(
            read_at=timezone.now()
        )


# --- the reveal ------------------------------------------------------------------------------------
REVEAL_REASON_MIN = 20


class ModerationConflict(Exception):
    """Someone got there first (already decided, pending, shown or published): a 409 with this text."""


def reveal_request_create(*, actor: User, post: Post, reason: str, request: HttpRequest | None = None) -> RevealRequest:
    if not can_request_reveal(actor, post):
        raise PermissionDenied
    text = (reason or "").strip()
    if len(text) < REVEAL_REASON_MIN:
        raise ValidationError({"reason": _("Describe the imminent risk that makes this necessary (at least %(n)d characters).") % {"n": REVEAL_REASON_MIN}})
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=post.pk).first()
        if RevealRequest.objects.filter(post=post, status=RevealStatus.PENDING).exists():
            raise ModerationConflict(_("A request to reveal this author is already waiting for a second staff member."))
        reveal = RevealRequest(post=post, requested_by=actor, reason=text)
        reveal.full_clean()
        reveal.save()
        audit_log("forum.reveal.request", actor=actor, target=post, request=request, reveal=reveal.pk)
    return reveal


def reveal_request_decide(*, actor: User, reveal: RevealRequest, approve: bool,
                          request: HttpRequest | None = None) -> RevealRequest:
    """A second staff member approves or declines: the staff app's two-person rule (lock the
    pending request, 409 when already decided, 403 for the asker), written for a request that
    has a post rather than a member. On approval the author is told."""
    with transaction.atomic():
        locked = RevealRequest.objects.select_for_update().select_related("post").get(pk=reveal.pk)
        if locked.status != RevealStatus.PENDING:
            raise ModerationConflict(_("Another staff member has already decided this request."))
        if not can_decide_reveal(actor, locked):
            raise PermissionDenied
        locked.status = RevealStatus.APPROVED if approve else RevealStatus.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log("forum.reveal.approve" if approve else "forum.reveal.decline", actor=actor, target=locked.post,
                  request=request, reveal=locked.pk, requested_by=locked.requested_by_id)
        if approve and locked.post.author_id is not None:
            transaction.on_commit(partial(_notify_member, locked.post.author_id, "forums.reveal",
                                          reverse("forums:moderation_notices")))
    return locked


@dataclass(frozen=True)
class RevealedIdentity:
    pseudonym: str
    display_name: str
    email: str
    public_id: str


def reveal_show(*, actor: User, reveal: RevealRequest, request: HttpRequest | None = None) -> RevealedIdentity:
    """The identity, to the staff member who asked, once, after approval. Audited."""
    with transaction.atomic():
        locked = RevealRequest.objects.select_for_update().select_related("post").get(pk=reveal.pk)
        if not can_see_revealed_identity(actor, locked):
            raise ModerationConflict(_("This identity cannot be shown: the request is not approved, not yours, or was already shown."))
        author_id = locked.post.author_id
        author = User.objects.select_related("profile").filter(pk=author_id).first() if author_id else None
        if author is None:
            raise ModerationConflict(_("The author has left; there is no identity to show."))
        locked.shown_at = timezone.now()
        locked.save(update_fields=["shown_at"])
        audit_log("forum.reveal.show", actor=actor, target=locked.post, request=request, reveal=locked.pk)
    profile = getattr(author, "profile", None)
    return RevealedIdentity(
        pseudonym=getattr(profile, "pseudonym", "") or "", display_name=getattr(profile, "display_name", "") or "",
        email=author.email, public_id=str(author.public_id),
    )


# --- digests ---------------------------------------------------------------------------------------
def digest_preference_set(*, actor: User, frequency: str, request: HttpRequest | None = None) -> DigestPreference:
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Choose one of the listed options.")})
    with transaction.atomic():
        preference, _created = DigestPreference.objects.select_for_update().get_or_create(user=actor)
        if preference.frequency != frequency:
            preference.frequency = frequency
            preference.updated_at = timezone.now()
            preference.save(update_fields=["frequency", "updated_at"])
            audit_log("forum.digest.preference", actor=actor, target=actor, request=request, frequency=frequency)
    return preference


def forum_settings_update(*, actor: User, digest_titles: bool, request: HttpRequest | None = None) -> ForumSettings:
    if not can_manage_forum_settings(actor):
        raise PermissionDenied
    with transaction.atomic():
        row, _created = ForumSettings.objects.select_for_update().get_or_create(pk=ForumSettings.SINGLETON_PK)
        row.digest_titles = digest_titles
        row.updated_at = timezone.now()
        row.updated_by = actor
        row.save(update_fields=["digest_titles", "updated_at", "updated_by"])
        audit_log("forum.settings.update", actor=actor, target=row, request=request, digest_titles=digest_titles)
    return row


def digests_send(*, now: dt.datetime | None = None) -> int:
    """The daily job: every member who chose a digest gets the one for the last complete period
    of their own calendar (yesterday; last ISO week, in their profile's time zone), at most once
    per period. Returns how many e-mails went out."""
    from peerhaven.forums.selectors.moderation import (
        digest_period,
        digest_summary,
        forum_settings,
        member_zone,
    )
    from peerhaven.notifications.selectors import preference_for

    now = now or timezone.now()
    titles = forum_settings().digest_titles
    sent = 0
    preferences = DigestPreference.objects.exclude(frequency=DigestFrequency.OFF).select_related("user__profile")
    for preference in preferences.iterator():
        member = preference.user
        if member.suspended_at is not None or member.erased_at is not None or not member.email:
            continue
        if not can_choose_digest(member) or not preference_for(member, DIGEST_KIND)[1]:
            continue
        period = digest_period(preference.frequency, now, member_zone(member))
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(user=member, period=period.key, sent_at=now)
        except IntegrityError:
            continue  # this period's digest was already claimed: idempotent reruns
        summary = digest_summary(member, since=period.start, until=period.end, with_titles=titles)
        DigestDelivery.objects.filter(pk=delivery.pk).update(post_count=summary.total)
        if summary.total == 0:
            continue  # nothing new: no e-mail (the claim stays, so no rerun does the work again)
        message = digest_email_build(member=member, summary=summary, period=period)
        try:
            message.send()
        except OSError:
            DigestDelivery.objects.filter(pk=delivery.pk).delete()
            raise
        sent += 1
    return sent


def digest_email_build(*, member: User, summary: DigestSummary, period: DigestPeriod) -> EmailMultiAlternatives:
    """Built like the notification e-mail (peerhaven.notifications.emails): an allow-listed
    context of counts, community names and — only when staff allow — topic titles. Never post
    text, never an author."""
    from peerhaven.notifications.emails import absolute_url, org_name
    from peerhaven.notifications.unsubscribe import unsubscribe_token_make

    language = getattr(getattr(member, "profile", None), "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        token = unsubscribe_token_make(user=member, kind=DIGEST_KIND)
        context = {
            "org_name": org_name(),
            "period_label": str(period.label),
            "lines": [
                {"community": line.community_name, "count": line.count, "titles": list(line.titles)}
                for line in summary.lines
            ],
            "total": summary.total,
            "link_url": absolute_url(reverse("forums:communities")),
            "unsubscribe_url": absolute_url(reverse("notifications:unsubscribe", args=[token])),
            "preferences_url": absolute_url(reverse("forums:digest_preferences")),
        }
        assert set(context) == DIGEST_EMAIL_CONTEXT_KEYS
        text_body = render_to_string("forums/moderation/email/digest.txt", context)
        html_body = render_to_string("forums/moderation/email/digest.html", context)
        subject = _("Your %(period)s digest from %(org)s") % {"period": period.label, "org": context["org_name"]}
    message = EmailMultiAlternatives(
        subject=subject, body=text_body, from_email=settings.DEFAULT_FROM_EMAIL, to=[member.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html_body, "text/html")
    return message


# --- resource library ------------------------------------------------------------------------------
RESOURCE_STORAGE_DIR = "forum-resources"


def resource_suggest(
    *, actor: User, title: str, kind: str, url: str = "", summary: str = "", tags: list[str] | None = None,
    upload: UploadedFile | None = None, request: HttpRequest | None = None,
) -> Resource:
    """A member suggests a resource; moderators publish it. A document goes through the safe
    upload path (checked by content, images re-encoded) and is stored encrypted."""
    from peerhaven.verification.documents import check_upload

    if not can_suggest_resource(actor):
        raise PermissionDenied
    tags = sorted(set(tags or []))
    if not tags or any(tag not in ResourceTag.values for tag in tags):
        raise ValidationError({"tags": _("Choose at least one topic from the list.")})
    resource = Resource(title=(title or "").strip(), kind=kind, url=(url or "").strip(),
                        summary=(summary or "").strip(), suggested_by=actor)
    if kind == ResourceKind.LINK and not resource.url:
        raise ValidationError({"url": _("Give the web address of the resource.")})
    if kind == ResourceKind.WRITEUP and not resource.summary:
        raise ValidationError({"summary": _("Write the resource itself here.")})
    checked = None
    if kind == ResourceKind.DOCUMENT:
        if upload is None:
            raise ValidationError({"document": _("Choose the document to upload.")})
        checked = check_upload(upload)
    resource.full_clean()
    with transaction.atomic():
        if checked is not None:
            resource.document_path = str(default_storage.save(
                f"{RESOURCE_STORAGE_DIR}/{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(checked.content))
            ))
            resource.document_type = checked.content_type
            resource.document_size = checked.size
        resource.save()
        ResourceTagging.objects.bulk_create([ResourceTagging(resource=resource, tag=tag) for tag in tags])
        audit_log("forum.resource.suggest", actor=actor, target=resource, request=request, kind=kind)
    return resource


def resource_document_read(resource: Resource) -> bytes:
    with default_storage.open(resource.document_path, "rb") as handle:
        return decrypt_bytes(handle.read())


def resource_publish(*, actor: User, resource: Resource, community: Community,
                     request: HttpRequest | None = None) -> Resource:
    """Publish, and open its discussion topic in `community` (through the posting services, so
    the topic is an ordinary one: followers hear of it, search finds it)."""
    from peerhaven.forums.services.posting import topic_create

    if not can_publish_resources(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if locked.status == ResourceStatus.PUBLISHED:
            raise ModerationConflict(_("This resource is already published."))
        body = _("A new resource in the library: **%(title)s**.") % {"title": locked.title}
        if locked.summary:
            body += "\n\n" + locked.summary
        if locked.url:
            body += "\n\n" + locked.url
        body += "\n\n" + _("Discuss it here.")
        topic = topic_create(actor=actor, community=community, title=locked.title[:140], body=body,
                             identity_mode=PostIdentity.PSEUDONYM, request=request)
        locked.status = ResourceStatus.PUBLISHED
        locked.published_by = actor
        locked.published_at = timezone.now()
        locked.topic = topic
        locked.save(update_fields=["status", "published_by", "published_at", "topic"])
        audit_log("forum.resource.publish", actor=actor, target=locked, request=request, topic=topic.pk)
        if locked.suggested_by_id and locked.suggested_by_id != actor.pk:
            transaction.on_commit(partial(_notify_member, locked.suggested_by_id, "forums.resource_published",
                                          reverse("forums:resource", kwargs={"pk": locked.pk})))
    return locked


def resource_decline(*, actor: User, resource: Resource, request: HttpRequest | None = None) -> Resource:
    if not can_publish_resources(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if locked.status != ResourceStatus.SUGGESTED:
            raise ModerationConflict(_("This suggestion was already decided."))
        locked.status = ResourceStatus.DECLINED
        locked.save(update_fields=["status"])
        audit_log("forum.resource.decline", actor=actor, target=locked, request=request)
        path = locked.document_path
        if path:
            transaction.on_commit(partial(_delete_stored, path))
    return locked


def _delete_stored(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)
