"""Nothing of a group is visible to non-members: the groups routes of the permission grid, walked
here on their own (every state, owner and stranger), and each inner route walked again with one
person per membership status (member, approved, requested, invited, left, removed, declined)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import STATES as MEMBER_STATES
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.tests.grid_rules import ANON, STATES
from peerhaven.groups.models.groups import Membership, MembershipStatus
from peerhaven.groups.tests.grid_groups import MEMBER_STATUSES, ROUTES

pytestmark = pytest.mark.django_db


def _status(client: Client, route: Any, kwargs: dict[str, Any]) -> int:
    url = reverse(route.name, kwargs=kwargs or None)
    return int(getattr(client, route.method)(url, data=route.data or None).status_code)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_it_enforces_the_groups_grid(route: Any) -> None:
    users: dict[str, Any] = {}
    failures: list[str] = []
    owner = make_member(verified=True) if route.make_kwargs else None
    for state in STATES:
        if state == ANON:
            client = Client()
        else:
            users.setdefault(state, make_member(**MEMBER_STATES[state]))
            client = sign_in(Client(), users[state], passkey=state in {"verifier", "staff"})
        kwargs = route.make_kwargs(owner) if route.make_kwargs else {}
        status = _status(client, route, kwargs)
        if status != route.expect[state]:
            failures.append(f"{route.name} as {state}: expected {route.expect[state]}, got {status}")
    if route.make_kwargs is not None and owner is not None:
        status = _status(sign_in(Client(), owner), route, route.make_kwargs(owner))
        if status != route.owner_status:
            failures.append(f"{route.name} as owner: expected {route.owner_status}, got {status}")
    assert not failures, "\n".join(failures)


def _person_with_status(group_pk: int, status: str) -> Any:
    person = make_member(verified=True)
    if status == "member":
        Membership.objects.create(group_id=group_pk, user=person, status=MembershipStatus.ACTIVE,
                                  agreement_version=1)
    else:
        Membership.objects.create(group_id=group_pk, user=person, status=status)
    return person


@pytest.mark.parametrize("name", sorted(MEMBER_STATUSES))
def test_it_shows_the_inside_of_a_group_to_its_active_members_only(name: str) -> None:
    by_name = {route.name: route for route in ROUTES}
    failures: list[str] = []
    expectations = MEMBER_STATUSES[name]
    route = by_name[name]
    assert route.make_kwargs is not None
    # One group per route: each status is held by a different person in it (the routes
    # walked here do not change anything for anyone but a facilitator).
    kwargs = route.make_kwargs(make_member(verified=True))
    for status, expected in expectations.items():
        person = _person_with_status(kwargs["pk"], status)
        got = _status(sign_in(Client(), person), route, kwargs)
        if got != expected:
            failures.append(f"{name} as {status}: expected {expected}, got {got}")
    assert not failures, "\n".join(failures)


def test_it_answers_404_for_an_unlisted_group_to_strangers_and_200_to_invitees() -> None:
    from peerhaven.groups.services.groups import membership_invite
    from peerhaven.groups.tests.grid_groups import facilitated_group

    owner = make_member(verified=True)
    group = facilitated_group(owner, visibility="unlisted", join_policy="invitation")
    stranger = make_member(verified=True)
    invitee = make_member(verified=True)
    invitee.profile.pseudonym = "quiet-heron"
    invitee.profile.save(update_fields=["pseudonym"])
    membership_invite(actor=owner, group=group, pseudonym="Quiet-Heron")
    url = reverse("groups:group_detail", kwargs={"pk": group.pk})
    assert sign_in(Client(), stranger).get(url).status_code == 404
    assert sign_in(Client(), invitee).get(url).status_code == 200
    directory = sign_in(Client(), stranger).get(reverse("groups:directory"))
    assert group.name not in directory.content.decode()
