"""Who may do what with licence submissions; loaders that answer 404 to outsiders."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from peerhaven.accounts.models import Role
from peerhaven.core.policies import has_role, is_active_member
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus
from peerhaven.verification.selectors import submission_for_review, submission_with_member


def is_verifier(user: Any) -> bool:
    return has_role(user, Role.VERIFIER)


def can_view_submission(user: Any, submission: LicenceSubmission) -> bool:
    """The member who sent it, and verifiers."""
    if not is_active_member(user):
        return False
    return submission.member_id == user.pk or is_verifier(user)


def can_review_licences(user: Any) -> bool:
    return is_verifier(user)


def can_decide_licence(user: Any, submission: LicenceSubmission) -> bool:
    """A verifier, on someone else's submission. Nobody approves their own licence."""
    return is_verifier(user) and submission.member_id != user.pk


def can_view_licence_document(user: Any, submission: LicenceSubmission) -> bool:
    return submission.has_document and can_view_submission(user, submission)


def can_reply_to_licence_request(user: Any, submission: LicenceSubmission) -> bool:
    return (
        is_active_member(user)
        and submission.member_id == user.pk
        and submission.status == SubmissionStatus.NEEDS_INFO
    )


def submission_get_for_review(user: Any, pk: int) -> LicenceSubmission:
    """A submission as a verifier sees it. Everyone else: 404."""
    if not can_review_licences(user):
        raise Http404
    submission = submission_for_review(pk)
    if submission is None:
        raise Http404
    return submission


def submission_get_for_document(user: Any, pk: int) -> LicenceSubmission:
    """A submission whose document `user` may download (owner or verifier). Everyone else: 404."""
    submission = submission_with_member(pk)
    if submission is None or not can_view_licence_document(user, submission):
        raise Http404
    return submission


def submission_get_for_reply(user: Any, pk: int) -> LicenceSubmission:
    """The member's own submission, to answer a verifier's question. Everyone else: 404."""
    submission = submission_with_member(pk)
    if submission is None or not is_active_member(user) or submission.member_id != user.pk:
        raise Http404
    return submission
