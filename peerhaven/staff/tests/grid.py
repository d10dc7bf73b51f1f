"""Permission-grid expectations for the staff console and the invitation link."""

from __future__ import annotations

from typing import Any

from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.tests.grid_rules import REDIRECT, Route, public, role


def _member_kwargs(owner: Any) -> dict[str, Any]:
    return {"public_id": owner.public_id}


def _fresh_member_kwargs(owner: Any) -> dict[str, Any]:
    # A new target each time: the staff state suspends the one it is given.
    return {"public_id": make_member(verified=True).public_id}


def _suspended_kwargs(owner: Any) -> dict[str, Any]:
    suspended = make_member(verified=True, suspended=True)
    return {"public_id": suspended.public_id}


def _role_kwargs(owner: Any) -> dict[str, Any]:
    from peerhaven.accounts.models import RoleGrant

    holder = make_member(verified=True)
    RoleGrant.objects.create(user=holder, role="moderator")
    return {"public_id": holder.public_id, "role": "moderator"}


def _staff_grant_kwargs(owner: Any) -> dict[str, Any]:
    from peerhaven.staff.services import staff_grant_request_create

    proposer = make_member(verified=True, roles=("staff",))
    return {"pk": staff_grant_request_create(actor=proposer, member=make_member(verified=True)).pk}


def _mfa_reset_kwargs(owner: Any) -> dict[str, Any]:
    from peerhaven.staff.services import mfa_reset_open

    opener = make_member(verified=True, roles=("staff",))
    reset = mfa_reset_open(
        actor=opener, member=make_member(verified=True), video_call_with_id=True, licence_number_matched=False,
        known_contact_confirmed=False, note="",
    )
    return {"pk": reset.pk}


def _invitation_kwargs(owner: Any) -> dict[str, Any]:
    from peerhaven.staff.services import invitation_create

    inviter = make_member(verified=True, roles=("staff",))
    invitation, _token = invitation_create(actor=inviter, email=f"grid-{owner.pk}@example.org", send_email=False)
    return {"pk": invitation.pk}


def _invitation_token_kwargs(owner: Any) -> dict[str, Any]:
    from peerhaven.staff.services import invitation_create

    inviter = make_member(verified=True, roles=("staff",))
    _invitation, token = invitation_create(actor=inviter, email=f"grid-link-{owner.pk}@example.org", send_email=False)
    return {"token": token}


ROUTES = [
    Route("staff:index", role("staff")),
    Route("staff:members", role("staff")),
    Route("staff:member", role("staff"), make_kwargs=_member_kwargs, owner_status=404),
    Route(
        "staff:member_role_add", role("staff", status=REDIRECT), make_kwargs=_member_kwargs,
        owner_status=404, method="post", data={"role": "facilitator"},
    ),
    Route(
        "staff:member_role_remove", role("staff", status=REDIRECT), make_kwargs=_role_kwargs,
        owner_status=404, method="post",
    ),
    Route(
        "staff:staff_grant_request", role("staff", status=REDIRECT), make_kwargs=_member_kwargs,
        owner_status=404, method="post",
    ),
    Route(
        "staff:staff_grant_decide", role("staff", status=REDIRECT), make_kwargs=_staff_grant_kwargs,
        owner_status=404, method="post", data={"decision": "decline"},
    ),
    Route(
        "staff:member_suspend", role("staff", status=REDIRECT), make_kwargs=_fresh_member_kwargs,
        owner_status=404, method="post", data={"suspend-reason": "Grid check."},
    ),
    Route(
        "staff:member_reinstate", role("staff", status=REDIRECT), make_kwargs=_suspended_kwargs,
        owner_status=404, method="post", data={"reinstate-reason": "Grid check."},
    ),
    Route("staff:mfa_reset_new", role("staff"), make_kwargs=_member_kwargs, owner_status=404),
    Route("staff:mfa_reset", role("staff"), make_kwargs=_mfa_reset_kwargs, owner_status=404),
    Route("staff:membership", role("staff")),
    Route("staff:invitations", role("staff")),
    Route(
        "staff:invitation_revoke", role("staff", status=REDIRECT), make_kwargs=_invitation_kwargs,
        owner_status=404, method="post",
    ),
    # Visitors are sent on to sign-up; signed-in members home (suspended ones are signed out
    # by the gate first and then treated as visitors).
    Route("staff:invitation_accept", public(REDIRECT), make_kwargs=_invitation_token_kwargs, owner_status=REDIRECT),
]
