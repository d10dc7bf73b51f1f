"""Writes owned by licence verification: submissions, decisions, replies, expiry and reminders.

These services alone write `User.verification_status` and `User.verified_until`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User, VerificationStatus
from peerhaven.core.audit import audit_log
from peerhaven.notifications.services import notify
from peerhaven.verification.documents import (
    CheckedDocument,
    delete_stored,
    read_decrypted,
    store_encrypted,
)
from peerhaven.verification.models import OPEN_STATUSES, LicenceSubmission, SubmissionStatus
from peerhaven.verification.policies import (
    can_decide_licence,
    can_reply_to_licence_request,
    can_view_licence_document,
)
from peerhaven.verification.selectors import (
    lapsed_verified_submissions,
    submissions_due_a_reminder,
)

REMINDER_DAYS_BEFORE = 30


class LicenceConflict(Exception):
    """The submission changed under the actor (already decided, or no longer open)."""


def _my_licence_link() -> str:
    return reverse("verification:my_licence")


def _notify_after_commit(*, user_id: int, kind: str) -> None:
    # Notifications carry no content: only the kind and a link to the member's licence page.
    link = _my_licence_link()

    def _send() -> None:
        notify(user=User.objects.get(pk=user_id), kind=kind, link=link)

    transaction.on_commit(_send)


def _holds_valid_verification(member: User, *, today: dt.date) -> bool:
    return member.verification_status == VerificationStatus.VERIFIED and (
        member.verified_until is None or member.verified_until >= today
    )


def _set_member_standing(member: User, *, status: str, verified_until: dt.date | None) -> None:
    member.verification_status = status
    member.verified_until = verified_until
    member.save(update_fields=["verification_status", "verified_until"])


def _lock_member(member_id: int) -> User:
    return User.objects.select_for_update().get(pk=member_id)


def _lock_open_submission(submission: LicenceSubmission) -> LicenceSubmission:
    locked = LicenceSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in OPEN_STATUSES:
        raise LicenceConflict(_("This submission was already decided."))
    return locked


def licence_submit(
    *,
    actor: User,
    licence_type: str,
    number: str,
    jurisdiction: str,
    expires_on: dt.date,
    document: CheckedDocument | None = None,
    request: HttpRequest | None = None,
) -> LicenceSubmission:
    """Send a licence for review. Older open submissions are superseded: the latest counts."""
    today = timezone.localdate()
    if expires_on <= today:
        raise ValidationError(
            {"expires_on": _("This licence has already expired. Please submit a current licence.")}
        )
    submission = LicenceSubmission(
        member=actor,
        licence_type=licence_type,
        number=number.strip(),
        jurisdiction=jurisdiction.strip(),
        expires_on=expires_on,
        status=SubmissionStatus.PENDING,
        created_at=timezone.now(),
    )
    if document is not None:
        submission.document_content_type = document.content_type
        submission.document_size = document.size
    submission.full_clean(exclude=["document_path"])
    # The file is written before the row and removed again if the row is not: nothing is
    # left half-written whichever step fails.
    stored_path = store_encrypted(document) if document is not None else ""
    try:
        with transaction.atomic():
            member = _lock_member(actor.pk)
            superseded = LicenceSubmission.objects.filter(member=member, status__in=OPEN_STATUSES).update(
                status=SubmissionStatus.SUPERSEDED
            )
            submission.document_path = stored_path
            submission.save()
            if not _holds_valid_verification(member, today=today):
                _set_member_standing(member, status=VerificationStatus.PENDING, verified_until=None)
            audit_log(
                "licence.submit", actor=actor, target=submission, request=request,
                has_document=bool(stored_path), superseded=superseded,
            )
            actor.verification_status = member.verification_status
            actor.verified_until = member.verified_until
    except BaseException:
        delete_stored(stored_path)
        raise
    return submission


def licence_approve(
    *, actor: User, submission: LicenceSubmission, request: HttpRequest | None = None
) -> LicenceSubmission:
    """A verifier confirms the licence: the member is verified until the licence's expiry."""
    if not can_decide_licence(actor, submission):
        raise PermissionDenied
    with transaction.atomic():
        member = _lock_member(submission.member_id)
        locked = _lock_open_submission(submission)
        if locked.expires_on < timezone.localdate():
            raise ValidationError(_("This licence has already expired; it cannot be approved."))
        locked.status = SubmissionStatus.VERIFIED
        locked.reviewer = actor
        locked.decided_at = timezone.now()
        locked.reason = ""
        locked.full_clean()
        locked.save(update_fields=["status", "reviewer", "decided_at", "reason"])
        _set_member_standing(member, status=VerificationStatus.VERIFIED, verified_until=locked.expires_on)
        audit_log("licence.approve", actor=actor, target=locked, request=request, member=member.pk)
        _notify_after_commit(user_id=member.pk, kind="licence.verified")
    return locked


def licence_reject(
    *, actor: User, submission: LicenceSubmission, reason: str, request: HttpRequest | None = None
) -> LicenceSubmission:
    """A verifier cannot approve the licence and tells the member why."""
    if not can_decide_licence(actor, submission):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Please tell the member why, so they can put it right.")})
    with transaction.atomic():
        member = _lock_member(submission.member_id)
        locked = _lock_open_submission(submission)
        locked.status = SubmissionStatus.REJECTED
        locked.reviewer = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.full_clean()
        locked.save(update_fields=["status", "reviewer", "decided_at", "reason"])
        # A renewal that fails does not take away a verification that is still running.
        if not _holds_valid_verification(member, today=timezone.localdate()):
            _set_member_standing(member, status=VerificationStatus.REJECTED, verified_until=None)
        audit_log("licence.reject", actor=actor, target=locked, request=request, member=member.pk)
        _notify_after_commit(user_id=member.pk, kind="licence.rejected")
    return locked


def licence_request_info(
    *, actor: User, submission: LicenceSubmission, question: str, request: HttpRequest | None = None
) -> LicenceSubmission:
    """A verifier asks the member for more before deciding."""
    if not can_decide_licence(actor, submission):
        raise PermissionDenied
    question = question.strip()
    if not question:
        raise ValidationError({"reason": _("Please say what you need from the member.")})
    with transaction.atomic():
        locked = _lock_open_submission(submission)
        locked.status = SubmissionStatus.NEEDS_INFO
        locked.reviewer = actor
        locked.decided_at = timezone.now()
        locked.reason = question
        locked.member_reply = ""
        locked.replied_at = None
        locked.full_clean()
        locked.save(
            update_fields=["status", "reviewer", "decided_at", "reason", "member_reply", "replied_at"]
        )
        audit_log("licence.request_info", actor=actor, target=locked, request=request, member=locked.member_id)
        _notify_after_commit(user_id=locked.member_id, kind="licence.more_info")
    return locked


def licence_reply(
    *,
    actor: User,
    submission: LicenceSubmission,
    reply: str,
    document: CheckedDocument | None = None,
    request: HttpRequest | None = None,
) -> LicenceSubmission:
    """The member answers a verifier's question (optionally with a new document); the
    submission goes back into the queue."""
    if submission.member_id != actor.pk:
        raise PermissionDenied
    reply = reply.strip()
    if not reply:
        raise ValidationError({"reply": _("Please write a short answer for the verifier.")})
    stored_path = store_encrypted(document) if document is not None else ""
    try:
        with transaction.atomic():
            locked = LicenceSubmission.objects.select_for_update().get(pk=submission.pk)
            if not can_reply_to_licence_request(actor, locked):
                raise LicenceConflict(_("This request was already answered or withdrawn."))
            replaced_path = ""
            fields = ["status", "member_reply", "replied_at"]
            locked.status = SubmissionStatus.PENDING
            locked.member_reply = reply
            locked.replied_at = timezone.now()
            if document is not None:
                replaced_path = locked.document_path
                locked.document_path = stored_path
                locked.document_content_type = document.content_type
                locked.document_size = document.size
                fields += ["document_path", "document_content_type", "document_size"]
            locked.full_clean()
            locked.save(update_fields=fields)
            audit_log(
                "licence.reply", actor=actor, target=locked, request=request,
                new_document=document is not None,
            )
            if replaced_path:
                transaction.on_commit(lambda: delete_stored(replaced_path))
    except BaseException:
        delete_stored(stored_path)
        raise
    return locked


def licence_review_open(
    *, actor: User, submission: LicenceSubmission, request: HttpRequest | None = None
) -> None:
    """A verifier opened a submission (its licence number in full): the look is audited."""
    if not can_decide_licence(actor, submission):
        raise PermissionDenied
    audit_log("licence.review_view", actor=actor, target=submission, request=request)


def licence_document_read(
    *, actor: User, submission: LicenceSubmission, request: HttpRequest | None = None
) -> bytes:
    """The decrypted document, for the owner or a verifier. Every look is audited."""
    if not can_view_licence_document(actor, submission):
        raise PermissionDenied
    content = read_decrypted(submission.document_path)
    audit_log(
        "licence.document_view", actor=actor, target=submission, request=request,
        as_owner=submission.member_id == actor.pk,
    )
    return content


def licence_expire_lapsed(*, today: dt.date | None = None) -> int:
    """Mark verified licences whose expiry date has passed as expired, and members whose
    verification ran out as expired (each told once). Returns how many members lapsed."""
    today = today or timezone.localdate()
    for submission in lapsed_verified_submissions(today=today):
        with transaction.atomic():
            updated = LicenceSubmission.objects.filter(
                pk=submission.pk, status=SubmissionStatus.VERIFIED
            ).update(status=SubmissionStatus.EXPIRED)
            if updated:
                audit_log("licence.expire", target=submission, member=submission.member_id)
    lapsed_members = 0
    member_ids = list(
        User.objects.filter(
            verification_status=VerificationStatus.VERIFIED, verified_until__lt=today
        ).values_list("pk", flat=True)
    )
    for member_id in member_ids:
        with transaction.atomic():
            member = _lock_member(member_id)
            # Re-checked under the lock: an approval may have renewed the member meanwhile.
            if (
                member.verification_status != VerificationStatus.VERIFIED
                or member.verified_until is None
                or member.verified_until >= today
            ):
                continue
            _set_member_standing(
                member, status=VerificationStatus.EXPIRED, verified_until=member.verified_until
            )
            audit_log("licence.member_expired", target=member)
            _notify_after_commit(user_id=member.pk, kind="licence.expired")
            lapsed_members += 1
    return lapsed_members


def licence_send_expiry_reminders(*, today: dt.date | None = None) -> int:
    """Remind members once, 30 days (or fewer, if the job missed a day) before their licence
    expires. Returns how many reminders were sent."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=REMINDER_DAYS_BEFORE)
    sent = 0
    for submission in submissions_due_a_reminder(today=today, until=until):
        with transaction.atomic():
            # Claiming the row with a conditional update makes "once" hold even when two
            # schedulers overlap.
            claimed = LicenceSubmission.objects.filter(
                pk=submission.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            audit_log("licence.expiry_reminder", target=submission, member=submission.member_id)
            _notify_after_commit(user_id=submission.member_id, kind="licence.expiring")
            sent += 1
    return sent
