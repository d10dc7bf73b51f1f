"""Test data for the forums browser journeys that a browser cannot create: a community (staff
create them) and a moderator (staff appoint them). Written through the project's services against
the e2e server's database (see e2e/fixtures_cli.py):

    python e2e/fixtures_cli.py forums:community SLUG NAME
    python e2e/fixtures_cli.py forums:moderator EMAIL
"""

from __future__ import annotations

from peerhaven.accounts.models import Role, User
from peerhaven.accounts.services import role_grant


def community(slug: str, name: str) -> str:
    from peerhaven.forums.models.posting import Community
    from peerhaven.forums.services.posting import community_create

    existing = Community.objects.filter(slug=slug).first()
    if existing is None:
        existing = community_create(actor=None, slug=slug, name=name,
                                    description="Share what helps after heavy weeks.",
                                    posting_rules="No client-identifying details. Use content notes.")
    return existing.slug


def moderator(email: str) -> int:
    user = User.objects.get(email=email)
    role_grant(actor=None, user=user, role=Role.MODERATOR)
    return int(user.pk)


def watched_word(word: str, action: str = "queue") -> int:
    """A staff-managed watched word ("queue" or "block"), added as the demo staff would."""
    from peerhaven.forums.models.moderation import WatchedWord
    from peerhaven.forums.services.moderation import normalise_watched, watched_word_add

    existing = WatchedWord.objects.filter(normalised=normalise_watched(word)).first()
    if existing is not None:
        return int(existing.pk)
    staff = User.objects.filter(role_grants__role=Role.STAFF).first()
    if staff is None:
        raise SystemExit("No staff member to add the word")
    return int(watched_word_add(actor=staff, word=word, action=action).pk)


def send_digests() -> int:
    """Run the daily digest job now for yesterday and last week (what the scheduler does)."""
    from peerhaven.forums.services.moderation import digests_send

    return digests_send()
