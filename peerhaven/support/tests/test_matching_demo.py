"""The matching part of the demo: declared relationships, never-match entries and buddies among
demo members, seeded idempotently."""

from __future__ import annotations

import pytest

from peerhaven.accounts.models import User
from peerhaven.core.demo import DEMO_DOMAIN, demo_community_seed
from peerhaven.support.demo import (
    DEMO_DECLARED,
    DEMO_NEVER_MATCH,
    seed_demo_matching,
    seed_demo_programme,
)
from peerhaven.support.models import Buddy, DeclaredRelationship, NeverMatch
from peerhaven.support.policies.matching import is_excluded_pair
from peerhaven.support.tests.grid_matching import make_supporter

pytestmark = pytest.mark.django_db


def test_it_seeds_exclusions_and_buddies_once() -> None:
    demo_community_seed()
    demo_users = list(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("pk")[:4])
    for user in demo_users:
        make_supporter(user)
    first = seed_demo_matching()
    assert f"{len(DEMO_DECLARED)} declared relationships" in first
    assert DeclaredRelationship.objects.count() == len(DEMO_DECLARED)
    assert NeverMatch.objects.count() == len(DEMO_NEVER_MATCH)
    assert Buddy.objects.count() >= 1
    quiet = User.objects.get(profile__pseudonym="QuietHarbor")
    river = User.objects.get(profile__pseudonym="RiverStone")
    assert is_excluded_pair(quiet, river)
    before = (DeclaredRelationship.objects.count(), NeverMatch.objects.count(), Buddy.objects.count())
    assert "matching:" in seed_demo_programme()
    assert (DeclaredRelationship.objects.count(), NeverMatch.objects.count(), Buddy.objects.count()) == before
