"""Reads for the staff console, shaped so each page runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from peerhaven.accounts.models import RoleGrant, User
from peerhaven.staff.models import (
    Invitation,
    MembershipPolicy,
    MfaResetRequest,
    RequestStatus,
    StaffGrantRequest,
    SuspensionRecord,
)

# The invitation a visitor arrived with (its id, stored once the link's token was checked).
SESSION_INVITATION = "peerhaven_invitation_id"


def membership_policy() -> MembershipPolicy:
    """The policy in force; before staff first save one, the default (open sign-up)."""
    return MembershipPolicy.objects.filter(pk=MembershipPolicy.SINGLETON_PK).first() or MembershipPolicy(
        pk=MembershipPolicy.SINGLETON_PK
    )


def invitation_by_token_hash(token_hash: str) -> Invitation | None:
    return Invitation.objects.filter(token_hash=token_hash).first()


def session_invitation(request: HttpRequest) -> Invitation | None:
    """The usable invitation this visitor opened, if any."""
    if not hasattr(request, "session"):
        return None
    invitation_id = request.session.get(SESSION_INVITATION)
    if not isinstance(invitation_id, int):
        return None
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    return invitation if invitation is not None and invitation.is_usable else None


def invitations_list() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("invited_by__profile").order_by("-created_at", "-id")


def members_for_staff(
    *,
    role: str = "",
    verification_status: str = "",
    suspended: str = "",
    joined_since: dt.date | None = None,
    joined_until: dt.date | None = None,
    search: str = "",
) -> QuerySet[User]:
    """Members for the console list, newest first, with profiles and roles in two queries."""
    members = User.objects.select_related("profile").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role"))
    ).defer("profile__employer")
    if role:
        members = members.filter(role_grants__role=role)
    if verification_status:
        members = members.filter(verification_status=verification_status)
    if suspended == "yes":
        members = members.filter(suspended_at__isnull=False)
    elif suspended == "no":
        members = members.filter(suspended_at__isnull=True)
    if joined_since is not None:
        members = members.filter(date_joined__date__gte=joined_since)
    if joined_until is not None:
        members = members.filter(date_joined__date__lte=joined_until)
    if search:
        members = members.filter(Q(email__icontains=search) | Q(profile__pseudonym__icontains=search))
    return members.order_by("-date_joined", "-id")


def member_for_staff(public_id: uuid.UUID) -> User | None:
    return (
        User.objects.select_related("profile")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .filter(public_id=public_id, erased_at__isnull=True)
        .first()
    )


def suspension_history(member: Any) -> QuerySet[SuspensionRecord]:
    return SuspensionRecord.objects.filter(member=member).select_related("actor__profile")


def pending_staff_grant_for(member: Any) -> StaffGrantRequest | None:
    return (
        StaffGrantRequest.objects.filter(member=member, status=RequestStatus.PENDING)
        .select_related("requested_by__profile")
        .first()
    )


def pending_mfa_reset_for(member: Any) -> MfaResetRequest | None:
    return MfaResetRequest.objects.filter(member=member, status=RequestStatus.PENDING).defer("note").first()


def pending_staff_grants() -> QuerySet[StaffGrantRequest]:
    return StaffGrantRequest.objects.filter(status=RequestStatus.PENDING).select_related(
        "member__profile", "requested_by__profile"
    )


def pending_mfa_resets() -> QuerySet[MfaResetRequest]:
    return (
        MfaResetRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("member__profile", "opened_by__profile")
        .defer("note")
    )


def staff_grant_request(pk: int) -> StaffGrantRequest | None:
    return StaffGrantRequest.objects.select_related("member", "requested_by").filter(pk=pk).first()


def mfa_reset_request(pk: int) -> MfaResetRequest | None:
    return (
        MfaResetRequest.objects.select_related("member__profile", "opened_by__profile", "decided_by__profile")
        .filter(pk=pk)
        .first()
    )
