"""Who may do what in the staff console, who may join, and loaders that answer 404 to outsiders."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import is_active_member, is_staff_admin, user_roles
from peerhaven.staff.models import (
    Invitation,
    MembershipPolicy,
    MfaResetRequest,
    RequestStatus,
    StaffGrantRequest,
)
from peerhaven.staff.selectors import member_for_staff, mfa_reset_request, staff_grant_request

# Roles one staff member grants alone. Staff itself takes two (StaffGrantRequest).
DIRECT_ROLES = (Role.VERIFIER, Role.MODERATOR, Role.FACILITATOR, Role.SUPPORTER)


# --- joining ---------------------------------------------------------------------------------
def can_open_signup(policy: MembershipPolicy, invitation: Invitation | None) -> bool:
    """Whether the sign-up page opens at all (the address is checked on the form)."""
    if policy.open_signup or policy.allowed_domains:
        return True
    return policy.invitations and invitation is not None and invitation.is_usable


def can_sign_up_with(policy: MembershipPolicy, email: str, invitation: Invitation | None) -> bool:
    """Whether `email` may join. Decided from the policy and the invitation alone, never from
    whether the address already has an account (no enumeration)."""
    if policy.open_signup:
        return True
    if policy.allowed_domains and policy.admits_domain_of(email):
        return True
    return bool(policy.invitations and invitation is not None and invitation.is_usable and invitation.is_for(email))


# --- the console -----------------------------------------------------------------------------
def can_use_staff_console(user: Any) -> bool:
    return is_staff_admin(user)


def can_grant_role(actor: Any, member: User, role: str) -> bool:
    return (
        is_staff_admin(actor)
        and role in DIRECT_ROLES
        and is_active_member(member)
        and member.erased_at is None
    )


def can_revoke_role(actor: Any, member: User, role: str) -> bool:
    """Any role, staff included (one staff member may take staff away, but not from themselves:
    an instance must not lose its last staff member by a slip)."""
    if not is_staff_admin(actor) or role not in Role.values:
        return False
    return not (role == Role.STAFF and member.pk == actor.pk)


def can_request_staff_grant(actor: Any, member: User) -> bool:
    return (
        is_staff_admin(actor)
        and member.pk != actor.pk
        and is_active_member(member)
        and member.erased_at is None
        and Role.STAFF not in user_roles(member)
    )


def can_decide_staff_grant(actor: Any, grant_request: StaffGrantRequest) -> bool:
    """A second staff member: never the one who asked, never the member concerned."""
    return (
        is_staff_admin(actor)
        and grant_request.status == RequestStatus.PENDING
        and grant_request.requested_by_id != actor.pk
        and grant_request.member_id != actor.pk
    )


def can_suspend(actor: Any, member: User) -> bool:
    return is_staff_admin(actor) and member.pk != actor.pk and member.suspended_at is None and member.erased_at is None


def can_reinstate(actor: Any, member: User) -> bool:
    return is_staff_admin(actor) and member.suspended_at is not None and member.erased_at is None


def can_open_mfa_reset(actor: Any, member: User) -> bool:
    return is_staff_admin(actor) and member.pk != actor.pk and member.erased_at is None


def can_decide_mfa_reset(actor: Any, reset: MfaResetRequest) -> bool:
    """A second staff member: never the one who checked identity, never the member concerned."""
    return (
        is_staff_admin(actor)
        and reset.status == RequestStatus.PENDING
        and reset.opened_by_id != actor.pk
        and reset.member_id != actor.pk
    )


def can_manage_membership(actor: Any) -> bool:
    return is_staff_admin(actor)


# --- loaders ---------------------------------------------------------------------------------
def member_get_for_staff(user: Any, public_id: uuid.UUID) -> User:
    if not can_use_staff_console(user):
        raise Http404
    member = member_for_staff(public_id)
    if member is None:
        raise Http404
    return member


def staff_grant_get_for_staff(user: Any, pk: int) -> StaffGrantRequest:
    if not can_use_staff_console(user):
        raise Http404
    grant_request = staff_grant_request(pk)
    if grant_request is None:
        raise Http404
    return grant_request


def mfa_reset_get_for_staff(user: Any, pk: int) -> MfaResetRequest:
    if not can_use_staff_console(user):
        raise Http404
    reset = mfa_reset_request(pk)
    if reset is None:
        raise Http404
    return reset


def invitation_get_for_staff(user: Any, pk: int) -> Invitation:
    if not can_manage_membership(user):
        raise Http404
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation
