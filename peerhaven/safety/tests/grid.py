"""Permission-grid expectations for safety's routes."""

from __future__ import annotations

from typing import Any

from peerhaven.core.tests.grid_rules import Route, member, public, role


def _crisis_resource(owner: Any) -> dict[str, Any]:
    from peerhaven.safety.models import CrisisResource

    return {"pk": CrisisResource.objects.create(country="GB", name="Grid line").pk}


def _report_by(owner: Any) -> dict[str, Any]:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.safety.models import Report

    report = Report.objects.create(
        reporter=owner, target_kind="member", target_member=make_member(verified=True), reason="spam"
    )
    return {"pk": report.pk}


def _member_id(owner: Any) -> dict[str, Any]:
    return {"public_id": owner.public_id}


# Moderator tools need the role and a second factor, not a passkey session (decision 0004).
_MODERATOR_TOOL = role("moderator")

ROUTES = [
    Route("safety:crisis", public(200)),
    Route("safety:crisis_manage", role("staff")),
    Route("safety:crisis_create", role("staff")),
    Route("safety:crisis_edit", role("staff"), make_kwargs=_crisis_resource, owner_status=404),
    Route("safety:crisis_deactivate", role("staff", status=302), make_kwargs=_crisis_resource,
          owner_status=404, method="post"),
    # Reporting a member: any member past the gate; reporting yourself is a 400.
    Route("safety:report_member", member(200), make_kwargs=_member_id, owner_status=400),
    # Content that no app registered is a 404 for everyone signed in.
    Route("safety:report_content", member(404),
          make_kwargs=lambda owner: {"label": "nothere.thing", "object_id": 1}, owner_status=404),
    Route("safety:my_reports", member(200)),
    Route("safety:moderation_queue", _MODERATOR_TOOL),
    Route("safety:report_detail", _MODERATOR_TOOL, make_kwargs=_report_by, owner_status=404),
    # Blocking answers with a redirect back; blocking yourself is a 400.
    Route("safety:block_member", member(302), make_kwargs=_member_id, owner_status=400, method="post"),
    Route("safety:unblock_member", member(302), make_kwargs=_member_id, owner_status=302, method="post"),
    Route("safety:blocks", member(200)),
    # The PHI guard's live check answers any member with an HTML partial.
    Route("safety:phi_check", member(200), method="post", data={"text": "Call 555-201-3344 today."}),
]
