"""Blocks: both ways for visibility, lifted only by the blocker, helpers for every later feature."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.safety.models import Block
from peerhaven.safety.policies import (
    blocked_user_ids,
    exclude_blocked,
    has_blocked,
    is_blocked_between,
)
from peerhaven.safety.services import block_create
from peerhaven.safety.tests.conftest import audit_actions

pytestmark = pytest.mark.django_db


def _url(name: str, member: User) -> str:
    return reverse(f"safety:{name}", kwargs={"public_id": member.public_id})


def test_it_blocks_a_member_both_ways(verified_client, verified_member, member_factory) -> None:
    other = member_factory(verified=True)
    bystander = member_factory()
    response = verified_client.post(_url("block_member", other))
    assert response.status_code == 302 and response["Location"] == reverse("safety:blocks")
    assert Block.objects.filter(blocker=verified_member, blocked=other).exists()
    assert is_blocked_between(verified_member, other)
    assert is_blocked_between(other, verified_member)
    assert not is_blocked_between(verified_member, bystander)
    assert blocked_user_ids(User.objects.get(pk=other.pk)) == {verified_member.pk}
    assert blocked_user_ids(User.objects.get(pk=verified_member.pk)) == {other.pk}
    assert audit_actions(actor_id=verified_member.pk, action__startswith="block.") == ["block.create"]


def test_it_blocks_only_once(verified_client, verified_member, member_factory) -> None:
    other = member_factory()
    verified_client.post(_url("block_member", other))
    verified_client.post(_url("block_member", other))
    assert Block.objects.count() == 1
    assert audit_actions(action="block.create") == ["block.create"]


def test_it_lets_only_the_blocker_unblock(verified_client, verified_member, member_factory, client_for) -> None:
    other = member_factory()
    verified_client.post(_url("block_member", other))
    client_for(other).post(_url("unblock_member", verified_member))
    assert is_blocked_between(verified_member, other)
    response = verified_client.post(_url("unblock_member", other))
    assert response.status_code == 302
    assert not is_blocked_between(verified_member, other)
    assert audit_actions(action="block.delete") == ["block.delete"]


def test_it_rejects_blocking_yourself(verified_client, verified_member) -> None:
    assert verified_client.post(_url("block_member", verified_member)).status_code == 400
    assert not Block.objects.exists()
    assert audit_actions(action="block.create") == []


def test_it_answers_404_for_an_unknown_or_suspended_member(verified_client, member_factory) -> None:
    url = reverse("safety:block_member", kwargs={"public_id": uuid.uuid4()})
    assert verified_client.post(url).status_code == 404
    assert verified_client.post(_url("block_member", member_factory(suspended=True, verified=True))).status_code == 404
    assert not Block.objects.exists()


def test_it_only_accepts_post(verified_client, member_factory) -> None:
    other = member_factory()
    assert verified_client.get(_url("block_member", other)).status_code == 405
    assert not Block.objects.exists()


def test_it_returns_to_a_safe_next_page(verified_client, member_factory) -> None:
    other, third = member_factory(), member_factory()
    response = verified_client.post(_url("block_member", other), {"next": "/home/"})
    assert response["Location"] == "/home/"
    response = verified_client.post(_url("block_member", third), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("safety:blocks")


def test_it_excludes_blocked_members_from_a_queryset(member_factory) -> None:
    viewer, blocked_by_me, blocking_me, bystander = (member_factory() for _ in range(4))
    block_create(actor=viewer, member=blocked_by_me)
    block_create(actor=blocking_me, member=viewer)
    members = exclude_blocked(User.objects.all(), viewer)
    assert set(members) == {viewer, bystander}
    # Through a relation, e.g. profiles whose user is blocked.
    from peerhaven.accounts.models import Profile

    profiles = exclude_blocked(Profile.objects.all(), viewer, field="user")
    assert {profile.user_id for profile in profiles} == {viewer.pk, bystander.pk}


def test_it_excludes_blocked_members_in_the_same_single_query(member_factory) -> None:
    viewer = member_factory()
    for _ in range(5):
        block_create(actor=viewer, member=member_factory())
    with CaptureQueriesContext(connection) as queries:
        rows = list(exclude_blocked(User.objects.all(), viewer))
    assert len(queries) == 1 and viewer in rows


def test_it_leaves_querysets_alone_for_visitors(member_factory) -> None:
    from django.contrib.auth.models import AnonymousUser

    member_factory()
    assert exclude_blocked(User.objects.all(), AnonymousUser()).count() == User.objects.count()
    assert blocked_user_ids(AnonymousUser()) == set()


def test_it_lists_the_members_i_blocked(verified_client, verified_member, member_factory) -> None:
    mine, theirs = member_factory(), member_factory()
    block_create(actor=verified_member, member=mine)
    block_create(actor=theirs, member=verified_member)
    page = verified_client.get(reverse("safety:blocks"))
    assert [block.blocked for block in page.context["page"]] == [mine]
    assert mine.public_name in page.content.decode()


def test_it_keeps_the_block_list_at_a_constant_number_of_queries(verified_client, verified_member) -> None:
    counts = []
    for size in (1, 50, 500):
        while Block.objects.filter(blocker=verified_member).count() < size:
            batch = min(size - Block.objects.filter(blocker=verified_member).count(), 50)
            Block.objects.bulk_create(Block(blocker=verified_member, blocked=make_member(mfa=False))
                                      for _ in range(batch))
        with CaptureQueriesContext(connection) as queries:
            assert verified_client.get(reverse("safety:blocks")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def _render_actions(viewer: User, member: User) -> str:
    request = RequestFactory().get("/members/x/")
    request.user = viewer
    return render_to_string("safety/member_actions.html", {"member": member, "user": viewer}, request=request)


def test_it_offers_block_and_report_buttons_for_other_members(member_factory) -> None:
    viewer, member = member_factory(), member_factory()
    html = _render_actions(viewer, member)
    assert _url("block_member", member) in html and _url("report_member", member) in html
    assert 'name="next" value="/members/x/"' in html
    block_create(actor=viewer, member=member)
    viewer = User.objects.get(pk=viewer.pk)
    assert has_blocked(viewer, member)
    assert _url("unblock_member", member) in _render_actions(viewer, member)


def test_it_offers_nothing_on_your_own_profile(member_factory) -> None:
    viewer = member_factory()
    assert "form" not in _render_actions(viewer, viewer)
