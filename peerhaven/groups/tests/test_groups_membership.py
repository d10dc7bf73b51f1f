"""Join policies (open, request, invitation), leaving and removal, capacity (including the last
seat under concurrent joins on PostgreSQL), agreement acceptance and re-acceptance."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import need_postgres, sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.groups.models.groups import (
    GroupSettings,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from peerhaven.groups.policies.groups import can_take_part, forget_membership, is_group_member
from peerhaven.groups.services.groups import (
    GroupFull,
    agreement_accept,
    agreement_update,
    group_create,
    group_settings_update,
    invitation_decline,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_leave,
    membership_remove,
    membership_request,
    membership_set_role,
)
from peerhaven.groups.tests.grid_groups import facilitated_group
from peerhaven.notifications.models import Notification


def _verified(pseudonym: str = "") -> Any:
    member = make_member(verified=True)
    if pseudonym:
        member.profile.pseudonym = pseudonym
        member.profile.save(update_fields=["pseudonym"])
    return member


@pytest.mark.django_db
class TestJoinPolicies:
    def test_it_joins_an_open_group_by_accepting_the_agreement(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        joiner = _verified()
        membership = agreement_accept(actor=joiner, group=group, version=1)
        assert membership.status == MembershipStatus.ACTIVE
        assert membership.agreement_version == 1 and membership.agreement_accepted_at is not None
        assert is_group_member(joiner, group)
        assert AuditEntry.objects.filter(action="groups.agreement_accept", actor_id=joiner.pk).exists()
        assert Notification.objects.filter(user=owner, kind="groups.member_joined").exists()

    def test_it_refuses_an_open_join_with_an_outdated_agreement_version(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        agreement_update(actor=owner, group=group, text="New rules.")
        with pytest.raises(ValidationError):
            agreement_accept(actor=_verified(), group=group, version=1)

    def test_it_takes_requests_that_facilitators_approve_before_the_agreement(self) -> None:
        owner = _verified()
        group = facilitated_group(owner)
        asker = _verified()
        with pytest.raises(PermissionDenied):
            agreement_accept(actor=asker, group=group, version=1)  # no joining a request group directly
        membership = membership_request(actor=asker, group=group)
        assert membership.status == MembershipStatus.REQUESTED
        assert Notification.objects.filter(user=owner, kind="groups.join_request").exists()
        assert not is_group_member(asker, group)
        approved = membership_approve(actor=owner, membership=membership)
        assert approved.status == MembershipStatus.APPROVED
        forget_membership(group)
        assert not is_group_member(asker, group)  # not before the agreement is accepted
        agreement_accept(actor=asker, group=group, version=1)
        assert is_group_member(asker, group) and can_take_part(asker, group)

    def test_it_declines_a_request_and_lets_the_member_ask_again(self) -> None:
        owner = _verified()
        group = facilitated_group(owner)
        asker = _verified()
        membership = membership_decline(actor=owner, membership=membership_request(actor=asker, group=group))
        assert membership.status == MembershipStatus.DECLINED
        assert Notification.objects.filter(user=asker, kind="groups.request_declined").exists()
        assert membership_request(actor=asker, group=group).status == MembershipStatus.REQUESTED

    def test_it_refuses_a_decision_by_a_plain_member(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        plain = _verified()
        agreement_accept(actor=plain, group=group, version=1)
        request = membership_request(actor=_verified(), group=facilitated_group(owner))
        with pytest.raises(PermissionDenied):
            membership_approve(actor=plain, membership=request)

    def test_it_invites_by_pseudonym_and_the_invitee_joins_by_accepting(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="invitation", visibility="unlisted")
        invitee = _verified("calm-otter")
        with pytest.raises(PermissionDenied):
            membership_request(actor=invitee, group=group)
        membership = membership_invite(actor=owner, group=group, pseudonym="Calm-Otter")
        assert membership.status == MembershipStatus.INVITED
        assert Notification.objects.filter(user=invitee, kind="groups.invited").exists()
        agreement_accept(actor=invitee, group=group, version=1)
        assert is_group_member(invitee, group)

    def test_it_gives_the_same_answer_for_unknown_and_uninvitable_pseudonyms(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="invitation")
        unverified = make_member()
        unverified.profile.pseudonym = "new-here"
        unverified.profile.save(update_fields=["pseudonym"])
        messages = []
        for pseudonym in ("nobody-at-all", "new-here"):
            with pytest.raises(ValidationError) as refusal:
                membership_invite(actor=owner, group=group, pseudonym=pseudonym)
            messages.append(refusal.value.message_dict)
        assert messages[0] == messages[1]

    def test_it_lets_an_invitee_decline(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="invitation")
        invitee = _verified("brave-finch")
        membership_invite(actor=owner, group=group, pseudonym="brave-finch")
        assert invitation_decline(actor=invitee, group=group).status == MembershipStatus.DECLINED
        with pytest.raises(PermissionDenied):
            agreement_accept(actor=invitee, group=group, version=1)

    def test_it_lets_members_leave_but_not_the_only_facilitator(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        member = _verified()
        agreement_accept(actor=member, group=group, version=1)
        assert membership_leave(actor=member, group=group).status == MembershipStatus.LEFT
        assert not is_group_member(member, group)
        with pytest.raises(PermissionDenied):
            membership_leave(actor=owner, group=group)
        co = _verified()
        agreement_accept(actor=co, group=group, version=1)
        membership_set_role(actor=owner, membership=Membership.objects.get(group=group, user=co),
                            role=MembershipRole.FACILITATOR)
        forget_membership(group)
        assert membership_leave(actor=owner, group=group).status == MembershipStatus.LEFT

    def test_it_removes_a_member_who_then_sees_nothing_and_cannot_rejoin(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        member = _verified()
        membership = agreement_accept(actor=member, group=group, version=1)
        removed = membership_remove(actor=owner, membership=membership)
        assert removed.status == MembershipStatus.REMOVED
        assert AuditEntry.objects.filter(action="groups.membership_remove", actor_id=owner.pk).exists()
        client = sign_in(Client(), member)
        assert client.get(reverse("groups:thread_list", kwargs={"pk": group.pk})).status_code == 404
        forget_membership(group)
        with pytest.raises(PermissionDenied):
            agreement_accept(actor=member, group=group, version=1)

    def test_it_lets_facilitators_and_staff_create_groups_only(self) -> None:
        with pytest.raises(PermissionDenied):
            group_create(actor=_verified(), name="Mine", description="", kind="ethics", visibility="listed",
                         join_policy="open", capacity=6, language="en", time_zone="UTC", agreement_text="Rules.")
        staff = make_member(verified=True, roles=("staff",))
        group = group_create(actor=staff, name="Staff's", description="", kind="ethics", visibility="listed",
                             join_policy="open", capacity=6, language="en", time_zone="America/Chicago",
                             agreement_text="Rules.")
        assert group.time_zone_band == "americas"
        assert Membership.objects.get(group=group, user=staff).role == MembershipRole.FACILITATOR


@pytest.mark.django_db
class TestCapacity:
    def test_it_refuses_the_seat_after_the_last_one_kindly(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open", capacity=2)
        agreement_accept(actor=_verified(), group=group, version=1)
        late = _verified()
        with pytest.raises(GroupFull):
            agreement_accept(actor=late, group=group, version=1)
        assert not Membership.objects.filter(group=group, user=late).exists()
        response = sign_in(Client(), late).post(reverse("groups:agreement", kwargs={"pk": group.pk}),
                                                {"version": 1, "accept": "on"})
        assert response.status_code == 409
        assert "This group is full" in response.content.decode()

    def test_it_counts_approved_requests_as_seats(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, capacity=2)
        first = membership_request(actor=_verified(), group=group)
        second = membership_request(actor=_verified(), group=group)
        membership_approve(actor=owner, membership=first)
        with pytest.raises(GroupFull):
            membership_approve(actor=owner, membership=second)
        assert Membership.objects.get(pk=second.pk).status == MembershipStatus.REQUESTED

    def test_it_keeps_capacity_within_the_staff_setting(self) -> None:
        staff = make_member(verified=True, roles=("staff",))
        group_settings_update(actor=staff, max_group_size=6)
        assert GroupSettings.objects.get().max_group_size == 6
        owner = _verified()
        with pytest.raises(ValidationError):
            facilitated_group(owner, capacity=7)
        assert facilitated_group(owner, capacity=6).capacity == 6

    def test_it_refuses_a_capacity_below_the_members_seated(self) -> None:
        from peerhaven.groups.services.groups import group_update

        owner = _verified()
        group = facilitated_group(owner, join_policy="open", capacity=4)
        for _ in range(2):
            agreement_accept(actor=_verified(), group=group, version=1)
        with pytest.raises(ValidationError):
            group_update(actor=owner, group=group, capacity=2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_never_oversells_the_last_seat_under_concurrent_joins() -> None:
    if connection.vendor != "postgresql":
        need_postgres("concurrent joins need row locks (SQLite serialises writers)")
    owner = _verified()
    group = facilitated_group(owner, join_policy="open", capacity=3)
    agreement_accept(actor=_verified(), group=group, version=1)  # one seat left (owner + 1 of 3)
    joiners = [_verified() for _ in range(6)]
    barrier = threading.Barrier(len(joiners))
    outcomes: list[str] = []
    lock = threading.Lock()

    def join(member: Any) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            agreement_accept(actor=member, group=group.__class__.objects.get(pk=group.pk), version=1)
            result = "joined"
        except GroupFull:
            result = "full"
        finally:
            thread_connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=join, args=(member,)) for member in joiners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["full"] * 5 + ["joined"]
    assert Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE).count() == 3


@pytest.mark.django_db
class TestAgreement:
    def test_it_asks_members_to_accept_a_changed_agreement_again(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        member = _verified()
        agreement_accept(actor=member, group=group, version=1)
        agreement_update(actor=owner, group=group, text="We also start on time.")
        group.refresh_from_db()
        assert group.agreement_version == 2
        forget_membership(group)
        assert is_group_member(member, group) and not can_take_part(member, group)
        assert can_take_part(owner, group)  # who wrote it has accepted it
        assert Notification.objects.filter(user=member, kind="groups.agreement_changed").exists()
        client = sign_in(Client(), member)
        response = client.get(reverse("groups:thread_create", kwargs={"pk": group.pk}))
        assert response.status_code == 302 and response["Location"] == reverse("groups:agreement", kwargs={"pk": group.pk})
        assert client.post(reverse("groups:agreement", kwargs={"pk": group.pk}),
                           {"version": 2, "accept": "on"}).status_code == 302
        forget_membership(group)
        assert can_take_part(member, group)
        assert Membership.objects.get(group=group, user=member).agreement_version == 2

    def test_it_requires_the_acceptance_box(self) -> None:
        owner = _verified()
        group = facilitated_group(owner, join_policy="open")
        joiner = _verified()
        response = sign_in(Client(), joiner).post(reverse("groups:agreement", kwargs={"pk": group.pk}), {"version": 1})
        assert response.status_code == 400
        assert not Membership.objects.filter(group=group, user=joiner).exists()
