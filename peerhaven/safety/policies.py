"""Who may do what in safety, and the block helpers every other feature uses to keep blocked
members out of lists, matching and groups.

A block works both ways for visibility: when A blocks B, neither sees the other, and the two
are never matched. Only A can lift it.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import has_role, is_active_member
from peerhaven.safety.models import Block, CrisisResource, Report

ModelT = TypeVar("ModelT", bound=Model)

_BLOCKS_CACHE = "_peerhaven_blocks"


# --- blocks ------------------------------------------------------------------------------------
def _block_sets(user: Any) -> tuple[frozenset[int], frozenset[int]]:
    """(ids `user` blocked, ids who blocked `user`): one query per request, cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return frozenset(), frozenset()
    cached = getattr(user, _BLOCKS_CACHE, None)
    if cached is None:
        rows = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
            "blocker_id", "blocked_id"
        )
        mine: set[int] = set()
        theirs: set[int] = set()
        for blocker_id, blocked_id in rows:
            if blocker_id == user.pk:
                mine.add(blocked_id)
            else:
                theirs.add(blocker_id)
        cached = (frozenset(mine), frozenset(theirs))
        setattr(user, _BLOCKS_CACHE, cached)
    return cached


def forget_cached_blocks(*users: Any) -> None:
    for user in users:
        if hasattr(user, _BLOCKS_CACHE):
            delattr(user, _BLOCKS_CACHE)


def blocked_user_ids(user: Any) -> set[int]:
    """Every member hidden from `user`: those `user` blocked and those who blocked `user`."""
    mine, theirs = _block_sets(user)
    return set(mine | theirs)


def has_blocked(user: Any, member: Any) -> bool:
    """True when `user` blocked `member` (the direction that `user` can lift)."""
    return getattr(member, "pk", None) in _block_sets(user)[0]


def is_blocked_between(user_a: Any, user_b: Any) -> bool:
    """True when either member blocked the other."""
    if not getattr(user_a, "pk", None) or not getattr(user_b, "pk", None):
        return False
    if hasattr(user_a, _BLOCKS_CACHE):
        return user_b.pk in blocked_user_ids(user_a)
    if hasattr(user_b, _BLOCKS_CACHE):
        return user_a.pk in blocked_user_ids(user_b)
    return Block.objects.filter(
        Q(blocker_id=user_a.pk, blocked_id=user_b.pk) | Q(blocker_id=user_b.pk, blocked_id=user_a.pk)
    ).exists()


def exclude_blocked(queryset: QuerySet[ModelT], user: Any, field: str = "pk") -> QuerySet[ModelT]:
    """`queryset` without rows whose `field` (a user id path, e.g. "author" or "user__pk") points
    at a member blocked either way. Done with subqueries: no extra query, none per row."""
    if not getattr(user, "is_authenticated", False):
        return queryset
    lookup = f"{field}__in"
    i_blocked = Block.objects.filter(blocker_id=user.pk).values("blocked_id")
    blocked_me = Block.objects.filter(blocked_id=user.pk).values("blocker_id")
    return queryset.exclude(**{lookup: i_blocked}).exclude(**{lookup: blocked_me})


def can_block(user: Any, member: User) -> bool:
    return is_active_member(user) and member.pk != user.pk


# --- members by public id ------------------------------------------------------------------
def member_get_for_user(user: Any, public_id: uuid.UUID) -> User:
    """A member addressed by their public id, or 404 (unknown or suspended).

    The member themself is returned too: callers answer "not about yourself" with a 400.
    """
    member = (
        User.objects.select_related("profile")
        .filter(public_id=public_id, suspended_at__isnull=True)
        .first()
    )
    if member is None:
        raise Http404
    return member


# --- reports -------------------------------------------------------------------------------
def can_report_member(user: Any, member: User) -> bool:
    return is_active_member(user) and member.pk != user.pk


def can_moderate(user: Any) -> bool:
    return has_role(user, Role.MODERATOR)


def report_get_for_moderator(user: Any, pk: int) -> Report:
    if not can_moderate(user):
        raise Http404
    report = (
        Report.objects.select_related(
            "reporter__profile", "target_member__profile", "content_type", "handled_by__profile"
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


# --- crisis resources ----------------------------------------------------------------------
def can_manage_crisis_resources(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def crisis_resource_get_for_staff(user: Any, pk: int) -> CrisisResource:
    if not can_manage_crisis_resources(user):
        raise Http404
    resource = CrisisResource.objects.filter(pk=pk).first()
    if resource is None:
        raise Http404
    return resource
