"""Who may see which part of a member: the member card and each profile field."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from peerhaven.accounts.models import Profile, User, Visibility
from peerhaven.accounts.selectors import member_by_public_id
from peerhaven.core.policies import is_verified

# Never shown to anyone but the member: used only to keep colleagues out of matching.
PRIVATE_ONLY_FIELDS = frozenset({"employer"})


def can_view_member(user: Any, member: User) -> bool:
    """Verified members see each other's cards, unless either has blocked the other."""
    if not is_verified(user):
        return False
    if member.pk == user.pk:
        return True
    if member.suspended_at is not None or member.erased_at is not None:
        return False
    # Imported here: safety builds on accounts, not the other way round.
    from peerhaven.safety.policies import is_blocked_between

    return not is_blocked_between(user, member)


def can_see_profile_field(user: Any, profile: Profile, field: str) -> bool:
    if getattr(user, "pk", None) == profile.user_id:
        return True
    if field in PRIVATE_ONLY_FIELDS:
        return False
    visibility = profile.visibility_of(field)
    if visibility == Visibility.MEMBERS:
        return is_verified(user)
    # "peers" means members the person works with (their T4T supporter, group, check-in
    # partner). Those relations do not exist yet, so until they do "peers" is as closed as
    # "private": nobody but the member. Widen it here when they land.
    return False


def member_get_for_user(user: Any, public_id: uuid.UUID) -> User:
    """The member behind `public_id` if `user` may see their card, else 404."""
    member = member_by_public_id(public_id)
    if member is None or not can_view_member(user, member):
        raise Http404
    return member
