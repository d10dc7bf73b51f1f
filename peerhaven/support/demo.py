"""support's demo data for `manage.py seed_demo`: each concern seeds its own part (booking:
supporters, availability, some sessions; matching: a few declared relationships, never-match
entries and buddies). Idempotent. The pair edits this file by small additions only."""

from __future__ import annotations

from peerhaven.accounts.models import User
from peerhaven.support.models import Buddy, SupporterProfile, SupporterStatus


def _demo_member(pseudonym: str) -> User | None:
    from peerhaven.core.demo import DEMO_DOMAIN

    return User.objects.filter(profile__pseudonym__iexact=pseudonym, email__endswith=f"@{DEMO_DOMAIN}").first()


# --- matching ---------------------------------------------------------------------------------
# (member, other, relationship kind): the two are never matched; the other is never told.
DEMO_DECLARED = [
    ("QuietHarbor", "RiverStone", "colleague"),
    ("MapleRoots", "CedarBench", "supervisor"),
    ("Colibri", "Alameda", "own_therapist"),
]
DEMO_NEVER_MATCH = [("DesertSage", "SlowTrain"), ("PaperCrane", "Merlion")]


def seed_demo_matching() -> str:
    from peerhaven.support.policies.matching import can_name_buddy
    from peerhaven.support.services.matching import buddy_set, never_match_add, relationship_declare

    declared = never = buddies = 0
    for member_name, other_name, kind in DEMO_DECLARED:
        member, other = _demo_member(member_name), _demo_member(other_name)
        if member is not None and other is not None:
            relationship_declare(actor=member, label=other.profile.pseudonym, kind=kind)
            declared += 1
    for member_name, other_name in DEMO_NEVER_MATCH:
        member, other = _demo_member(member_name), _demo_member(other_name)
        if member is not None and other is not None:
            never_match_add(actor=member, label=other.email)
            never += 1
    # Buddies: approved demo supporters, in pairs, each naming the next one (when not excluded).
    supporters = list(
        SupporterProfile.objects.filter(status=SupporterStatus.APPROVED, user__email__endswith="@demo.peerhaven.test")
        .select_related("user__profile")
        .order_by("pk")
    )
    for supporter, candidate in zip(supporters[0::2], supporters[1::2], strict=False):
        # A pair across a conflict of interest is skipped.
        if Buddy.objects.filter(supporter=supporter).exists() or not can_name_buddy(supporter, candidate):
            continue
        buddy_set(actor=supporter.user, supporter=supporter, buddy=candidate)
        buddies += 1
    return f"{declared} declared relationships, {never} never-match entries, {buddies} new buddies"


def seed_demo_programme() -> str:
    reports = [
        # booking: support-booking adds its seeder above matching's (buddies need supporters).
        f"matching: {seed_demo_matching()}",
    ]
    return "T4T demo — " + "; ".join(reports)
