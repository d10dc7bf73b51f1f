"""safety's part of the privacy registry: reports the member made and blocks they set."""

from __future__ import annotations

from typing import Any

from peerhaven.safety.models import Block, Report

SECTION = "safety"


def export_member(user: Any) -> dict[str, Any]:
    # Who was reported or blocked is left out: it names other members.
    return {
        "reports_made": [
            {"reason": report.reason, "details": report.details, "status": report.status, "created_at": report.created_at}
            for report in Report.objects.filter(reporter=user).order_by("created_at", "id")
        ],
        "blocks_set": [{"created_at": block.created_at} for block in Block.objects.filter(blocker=user).order_by("created_at", "id")],
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    # The moderation record stays (the reporter link is cleared by SET_NULL when the user row
    # goes); the member's own words in it do not.
    Report.objects.filter(reporter=user).update(details="")
    Block.objects.filter(blocker=user).delete()
