from __future__ import annotations

import pytest

from peerhaven.accounts.tests.factories import make_member
from peerhaven.staff.demo import DEMO_INVITEE, seed_demo_staff
from peerhaven.staff.models import Invitation, MembershipPolicy

pytestmark = pytest.mark.django_db


def test_it_seeds_an_open_policy_and_one_waiting_invitation_once() -> None:
    staff = make_member(verified=True, roles=("staff",))
    first = seed_demo_staff(staff=staff)
    assert first.policy_created and "/staff/invitations/" in first.invitation_link
    policy = MembershipPolicy.objects.get()
    assert policy.open_signup and policy.invitations
    again = seed_demo_staff(staff=staff)
    assert not again.policy_created and again.invitation_link == ""
    assert Invitation.objects.filter(email=DEMO_INVITEE).count() == 1
    assert Invitation.objects.get().is_usable


def test_it_does_nothing_without_a_staff_member() -> None:
    assert seed_demo_staff().invitation_link == ""
    assert not MembershipPolicy.objects.exists()
