"""The matching part of the demo: declared relationships, never-match entries and buddies among
demo members, seeded idempotently."""

from __future__ import annotations

import pytest

from peerhaven.accounts.models import User
from peerhaven.core.demo import demo_community_seed
from peerhaven.support.demo import (
    DEMO_DECLARED,
    DEMO_NEVER_MATCH,
    seed_demo_matching,
    seed_demo_programme,
)
from peerhaven.support.models import Buddy, DeclaredRelationship, NeverMatch
from peerhaven.support.policies.matching import is_excluded_pair

pytestmark = pytest.mark.django_db


def test_it_seeds_exclusions_and_buddies_once() -> None:
    demo_community_seed()
    report = seed_demo_programme()
    assert f"{len(DEMO_DECLARED)} declared relationships" in report
    assert DeclaredRelationship.objects.count() == len(DEMO_DECLARED)
    assert NeverMatch.objects.count() == len(DEMO_NEVER_MATCH)
    assert Buddy.objects.count() >= 1  # the booking concern's demo supporters, in pairs
    quiet = User.objects.get(profile__pseudonym="QuietHarbor")
    river = User.objects.get(profile__pseudonym="RiverStone")
    assert is_excluded_pair(quiet, river)
    before = (DeclaredRelationship.objects.count(), NeverMatch.objects.count(), Buddy.objects.count())
    assert "0 new buddies" in seed_demo_matching()
    seed_demo_programme()
    assert (DeclaredRelationship.objects.count(), NeverMatch.objects.count(), Buddy.objects.count()) == before
