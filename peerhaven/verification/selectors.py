"""Reads of licence submissions, shaped so each page runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from peerhaven.accounts.models import VerificationStatus
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus

# The queue lists who and what, not the encrypted details: skip decrypting them per row.
_QUEUE_DEFERRED = ("number", "reason", "member_reply")


def latest_submission_for(member: Any) -> LicenceSubmission | None:
    """The submission that counts: the member's most recent one."""
    return LicenceSubmission.objects.filter(member=member).order_by("-created_at", "-id").first()


def member_submissions(member: Any) -> QuerySet[LicenceSubmission]:
    """A member's own history, newest first."""
    return LicenceSubmission.objects.filter(member=member).order_by("-created_at", "-id")


def review_queue(
    *, viewer: Any, status: str = "", licence_type: str = "", jurisdiction: str = ""
) -> QuerySet[LicenceSubmission]:
    """Submissions for verifiers: pending first (oldest waiting first), then the rest.

    The viewer's own submissions are left out: nobody decides their own licence.
    """
    submissions = (
        LicenceSubmission.objects.exclude(member=viewer)
        .select_related("member__profile")
        .defer(*_QUEUE_DEFERRED)
        .annotate(
            queue_rank=Case(
                When(status=SubmissionStatus.PENDING, then=Value(0)),
                When(status=SubmissionStatus.NEEDS_INFO, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    )
    if status:
        submissions = submissions.filter(status=status)
    if licence_type:
        submissions = submissions.filter(licence_type=licence_type)
    if jurisdiction:
        submissions = submissions.filter(jurisdiction__icontains=jurisdiction)
    return submissions.order_by("queue_rank", "created_at", "id")


def submission_for_review(pk: int) -> LicenceSubmission | None:
    return (
        LicenceSubmission.objects.select_related("member__profile", "reviewer__profile")
        .filter(pk=pk)
        .first()
    )


def submission_with_member(pk: int) -> LicenceSubmission | None:
    return LicenceSubmission.objects.select_related("member").filter(pk=pk).first()


def earlier_submissions(submission: LicenceSubmission, *, limit: int = 10) -> list[LicenceSubmission]:
    """The same member's other submissions, for a verifier's context, newest first."""
    return list(
        LicenceSubmission.objects.filter(member_id=submission.member_id)
        .exclude(pk=submission.pk)
        .defer("number", "member_reply")
        .order_by("-created_at", "-id")[:limit]
    )


def lapsed_verified_submissions(*, today: Any) -> QuerySet[LicenceSubmission]:
    return LicenceSubmission.objects.filter(
        status=SubmissionStatus.VERIFIED, expires_on__lt=today
    ).select_related("member")


def submissions_due_a_reminder(*, today: Any, until: Any) -> QuerySet[LicenceSubmission]:
    """Verified licences expiring within the window that still hold the member's standing
    (a renewal already approved moves `verified_until` on) and were not yet reminded."""
    return LicenceSubmission.objects.filter(
        status=SubmissionStatus.VERIFIED,
        reminder_sent_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=until,
        member__verification_status=VerificationStatus.VERIFIED,
        member__verified_until=F("expires_on"),
    ).select_related("member")
