"""verification's part of the privacy registry: the member's own licence submissions, and the
removal of their stored documents on erasure."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

from peerhaven.verification.documents import delete_stored
from peerhaven.verification.models import LicenceSubmission

SECTION = "verification"


def export_member(user: Any) -> dict[str, Any]:
    # The reviewer is left out: it names another member.
    return {
        "licence_submissions": [
            {
                "licence_type": submission.licence_type,
                "number": submission.number,
                "jurisdiction": submission.jurisdiction,
                "expires_on": submission.expires_on,
                "status": submission.status,
                "created_at": submission.created_at,
                "decided_at": submission.decided_at,
                "message_from_verifier": submission.reason,
                "your_reply": submission.member_reply,
                "document": submission.document_content_type or None,
            }
            for submission in LicenceSubmission.objects.filter(member=user).order_by("created_at", "id")
        ]
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    submissions = LicenceSubmission.objects.filter(member=user)
    paths = [path for path in submissions.values_list("document_path", flat=True) if path]
    submissions.delete()
    # Files go only once the erasure has committed: a rolled-back erasure keeps them.
    for path in paths:
        transaction.on_commit(partial(delete_stored, path))
