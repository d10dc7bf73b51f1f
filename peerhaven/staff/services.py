"""Writes of the staff console: membership policy and invitations, roles (staff takes two staff),
suspension with a reason, and the two-staff reset of a member's second factors. Each writes the
audit log (codes and ids only); e-mails and pushes go out after commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerhaven.accounts.models import Role, User
from peerhaven.accounts.services import (
    member_reinstate,
    member_sessions_end,
    member_suspend,
    role_grant,
    role_revoke,
)
from peerhaven.core.audit import audit_log
from peerhaven.staff.models import (
    INVITATION_LIFETIME,
    Invitation,
    InvitationStatus,
    MembershipPolicy,
    MfaResetRequest,
    RequestStatus,
    StaffGrantRequest,
    SuspensionAction,
    SuspensionRecord,
)
from peerhaven.staff.policies import (
    can_decide_mfa_reset,
    can_decide_staff_grant,
    can_grant_role,
    can_manage_membership,
    can_open_mfa_reset,
    can_reinstate,
    can_request_staff_grant,
    can_revoke_role,
    can_suspend,
)


class StaffConflict(Exception):
    """Someone else got there first (already decided, already pending): a 409 with this text."""


_ALREADY_DECIDED = gettext_lazy("Another staff member has already decided this request.")


def _second_staff_decision(
    model: Any, pk: int, *, actor: User, approve: bool, may_decide: Callable[[User, Any], bool]
) -> Any:
    """The two-person rule, in one place: lock the pending request, refuse a late second
    decision (409) and a decision by the staff member who asked (403), then record it.
    Call inside the caller's transaction."""
    locked = model.objects.select_for_update().select_related("member").get(pk=pk)
    if locked.status != RequestStatus.PENDING:
        raise StaffConflict(str(_ALREADY_DECIDED))
    if not may_decide(actor, locked):
        raise PermissionDenied
    locked.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- membership --------------------------------------------------------------------------------
def membership_policy_update(
    *, actor: User, open_signup: bool, invitations: bool, allowed_domains: list[str],
    request: HttpRequest | None = None,
) -> MembershipPolicy:
    if not can_manage_membership(actor):
        raise PermissionDenied
    with transaction.atomic():
        policy, _created = MembershipPolicy.objects.select_for_update().get_or_create(
            pk=MembershipPolicy.SINGLETON_PK
        )
        policy.open_signup = open_signup
        policy.invitations = invitations
        policy.allowed_domains = allowed_domains
        policy.updated_at = timezone.now()
        policy.updated_by = actor
        policy.full_clean()
        policy.save()
        # The shape of the policy, not the domain names.
        audit_log(
            "membership_policy.update", actor=actor, target=policy, request=request,
            open_signup=policy.open_signup, invitations=policy.invitations,
            allowed_domain_count=len(policy.allowed_domains),
        )
    return policy


def invitation_create(
    *, actor: User, email: str, request: HttpRequest | None = None, send_email: bool = True
) -> tuple[Invitation, str]:
    """Invite `email`; returns the invitation and its token (shown nowhere but in the e-mail).

    A new invitation to the same address revokes the earlier ones that were still waiting."""
    if not can_manage_membership(actor):
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    address = email.strip().lower()
    with transaction.atomic():
        now = timezone.now()
        for earlier in Invitation.objects.select_for_update().filter(
            email=address, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ):
            earlier.revoked_at = now
            earlier.save(update_fields=["revoked_at"])
            audit_log("invitation.revoke", actor=actor, target=earlier, request=request, replaced=True)
        invitation = Invitation(
            email=address, token_hash=hash_invitation_token(token), invited_by=actor,
            created_at=now, expires_at=now + INVITATION_LIFETIME,
        )
        invitation.full_clean()
        invitation.save()
        audit_log("invitation.create", actor=actor, target=invitation, request=request)
        if send_email:
            transaction.on_commit(partial(_send_invitation_email, address, invitation_link(token)))
    return invitation, token


def invitation_link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("staff:invitation_accept", kwargs={"token": token})


def invitation_revoke(*, actor: User, invitation: Invitation, request: HttpRequest | None = None) -> Invitation:
    if not can_manage_membership(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != InvitationStatus.PENDING:
            raise StaffConflict(_("This invitation is no longer waiting: it was accepted, revoked or has expired."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_log("invitation.revoke", actor=actor, target=locked, request=request)
    return locked


def invitation_accept(*, invitation: Invitation, user: User, request: HttpRequest | None = None) -> bool:
    """Mark `invitation` accepted by the member who just signed up with its address."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable or not locked.is_for(user.email):
            return False
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit_log("invitation.accept", actor=user, target=locked, request=request)
    return True


def _send_invitation_email(address: str, link: str) -> None:
    # The link only: no name of who invited, no personal message (nothing but "you are invited").
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{_('You are invited to join')}",
        message=_(
            "You are invited to join our peer-support community for mental health clinicians.\n\n"
            "To accept, open this link within 14 days:\n%(link)s\n\n"
            "If you did not expect this, you can ignore this e-mail."
        ) % {"link": link},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )


# --- roles -------------------------------------------------------------------------------------
def member_role_grant(*, actor: User, member: User, role: str, request: HttpRequest | None = None) -> None:
    """Grant one of the roles a single staff member may grant (not staff: see staff_grant_request_create)."""
    if not can_grant_role(actor, member, role):
        raise PermissionDenied
    role_grant(actor=actor, user=member, role=role, request=request)


def member_role_revoke(*, actor: User, member: User, role: str, request: HttpRequest | None = None) -> None:
    if not can_revoke_role(actor, member, role):
        raise PermissionDenied
    role_revoke(actor=actor, user=member, role=role, request=request)


def staff_grant_request_create(
    *, actor: User, member: User, request: HttpRequest | None = None
) -> StaffGrantRequest:
    if not can_request_staff_grant(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        # The member's row lock orders two simultaneous requests; the partial unique constraint
        # would catch them anyway, but as an error page rather than a kind message.
        User.objects.select_for_update().filter(pk=member.pk).first()
        if StaffGrantRequest.objects.filter(member=member, status=RequestStatus.PENDING).exists():
            raise StaffConflict(_("A request to make this member staff is already waiting for approval."))
        grant_request = StaffGrantRequest(member=member, requested_by=actor)
        grant_request.full_clean()
        grant_request.save()
        audit_log("staff_grant.request", actor=actor, target=member, request=request, grant_request=grant_request.pk)
    return grant_request


def staff_grant_request_decide(
    *, actor: User, grant_request: StaffGrantRequest, approve: bool, request: HttpRequest | None = None
) -> StaffGrantRequest:
    """A second staff member approves (the member becomes staff) or declines."""
    with transaction.atomic():
        locked = _second_staff_decision(
            StaffGrantRequest, grant_request.pk, actor=actor, approve=approve, may_decide=can_decide_staff_grant
        )
        audit_log(
            "staff_grant.approve" if approve else "staff_grant.decline",
            actor=actor, target=locked.member, request=request,
            grant_request=locked.pk, requested_by=locked.requested_by_id,
        )
        if approve:
            role_grant(actor=actor, user=locked.member, role=Role.STAFF, request=request)
    return locked


# --- suspension --------------------------------------------------------------------------------
def suspension_start(*, actor: User, member: User, reason: str, request: HttpRequest | None = None) -> SuspensionRecord:
    """Suspend `member` with a reason kept for staff (see accounts.services.member_suspend for
    what ends: sessions, API tokens, websockets)."""
    if not can_suspend(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        record = SuspensionRecord(member=member, action=SuspensionAction.SUSPEND, reason=reason.strip(), actor=actor)
        record.full_clean()
        record.save()
        member_suspend(actor=actor, user=member, request=request)
    return record


def suspension_end(*, actor: User, member: User, reason: str, request: HttpRequest | None = None) -> SuspensionRecord:
    if not can_reinstate(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        record = SuspensionRecord(member=member, action=SuspensionAction.REINSTATE, reason=reason.strip(), actor=actor)
        record.full_clean()
        record.save()
        member_reinstate(actor=actor, user=member, request=request)
    return record


def member_staff_view(*, actor: User, member: User, request: HttpRequest | None = None) -> None:
    """A staff look at a member's record (roles, status, suspension reasons) is audited."""
    audit_log("member.staff_view", actor=actor, target=member, request=request)


# --- lost second factor ------------------------------------------------------------------------
def mfa_reset_open(
    *, actor: User, member: User, video_call_with_id: bool, licence_number_matched: bool,
    known_contact_confirmed: bool, note: str, request: HttpRequest | None = None,
) -> MfaResetRequest:
    if not can_open_mfa_reset(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=member.pk).first()
        if MfaResetRequest.objects.filter(member=member, status=RequestStatus.PENDING).exists():
            raise StaffConflict(_("A second-factor reset for this member is already waiting for approval."))
        reset = MfaResetRequest(
            member=member, opened_by=actor, video_call_with_id=video_call_with_id,
            licence_number_matched=licence_number_matched, known_contact_confirmed=known_contact_confirmed,
            note=note.strip(),
        )
        reset.full_clean()
        reset.save()
        audit_log("mfa_reset.open", actor=actor, target=member, request=request, reset=reset.pk, checks=reset.checks_done)
    return reset


def mfa_reset_view(*, actor: User, reset: MfaResetRequest, request: HttpRequest | None = None) -> None:
    """Reading the identity-check note is a look at sensitive data: audited."""
    audit_log("mfa_reset.view", actor=actor, target=reset, request=request)


def mfa_reset_decide(
    *, actor: User, reset: MfaResetRequest, approve: bool, request: HttpRequest | None = None
) -> MfaResetRequest:
    """A second staff member approves (every authenticator of the member is removed, their
    sessions end, and they are told in-app and by e-mail) or declines."""
    from peerhaven.notifications.services import notify

    with transaction.atomic():
        locked = _second_staff_decision(
            MfaResetRequest, reset.pk, actor=actor, approve=approve, may_decide=can_decide_mfa_reset
        )
        data: dict[str, Any] = {"reset": locked.pk, "opened_by": locked.opened_by_id}
        if approve:
            member = locked.member
            removed, _detail = Authenticator.objects.filter(user=member).delete()
            data["authenticators_removed"] = removed
            # Whoever holds a session of theirs now holds it without the factor it was opened with.
            transaction.on_commit(partial(member_sessions_end, user_id=member.pk))
            notify(user=member, kind="account.mfa_reset", link=reverse("accounts:secure_account"))
        audit_log(
            "mfa_reset.approve" if approve else "mfa_reset.decline",
            actor=actor, target=locked.member, request=request, **data,
        )
    return locked
