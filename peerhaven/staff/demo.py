"""Demo membership for `manage.py seed_demo`: open sign-up with licence verification, and one
invitation waiting (to a reserved .test address, so no e-mail reaches anyone)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from peerhaven.accounts.models import Role, User
from peerhaven.staff.models import Invitation, MembershipPolicy
from peerhaven.staff.services import invitation_create, invitation_link, membership_policy_update

DEMO_INVITEE = "invited@demo.peerhaven.test"


@dataclass
class StaffSeedReport:
    policy_created: bool = False
    invitation_link: str = ""  # set only when a new invitation was made (its token is not kept)


def seed_demo_staff(*, staff: User | None = None) -> StaffSeedReport:
    """Idempotent: the policy is written once, and a new invitation only when none is waiting."""
    actor = staff or User.objects.filter(role_grants__role=Role.STAFF, suspended_at__isnull=True).order_by("pk").first()
    report = StaffSeedReport()
    if actor is None:
        return report
    if not MembershipPolicy.objects.exists():
        membership_policy_update(actor=actor, open_signup=True, invitations=True, allowed_domains=[])
        report.policy_created = True
    waiting = Invitation.objects.filter(
        email=DEMO_INVITEE, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()
    if not waiting:
        _invitation, token = invitation_create(actor=actor, email=DEMO_INVITEE, send_email=False)
        report.invitation_link = invitation_link(token)
    return report
