"""Who may do what with groups, memberships, threads and case presentations: one function per
action, used by the pages and the API alike, plus the loaders that answer 404 to outsiders.

Nothing inside a group (threads, case presentations, member list, meetings) is visible to anyone
but its active members: not to other members of the site, and not to staff either."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from peerhaven.accounts.models import Role
from peerhaven.core.policies import has_role, is_active_member, is_verified
from peerhaven.groups.models.groups import (
    CasePresentation,
    Group,
    GroupVisibility,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    Post,
    Thread,
)

_MEMBERSHIP_CACHE = "_peerhaven_group_memberships"
_MISSING = object()

# A row in one of these statuses lets its person see the group's public page even when the
# group is unlisted (they were invited, asked, or belong to it).
_LINKED_STATUSES = (
    MembershipStatus.REQUESTED,
    MembershipStatus.INVITED,
    MembershipStatus.APPROVED,
    MembershipStatus.ACTIVE,
)


def membership_for(user: Any, group: Group) -> Membership | None:
    """The user's membership row in `group` (any status), loaded once per group object."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, Membership | None] = getattr(group, _MEMBERSHIP_CACHE, None) or {}
    found = cache.get(user.pk, _MISSING)
    if found is _MISSING:
        found = Membership.objects.filter(group=group, user_id=user.pk).first()
        cache[user.pk] = found
        setattr(group, _MEMBERSHIP_CACHE, cache)
    return found  # type: ignore[return-value]


def remember_membership(user: Any, group: Group, membership: Membership | None) -> None:
    """Seed (or refresh) the per-object cache, e.g. after a service changed the row."""
    cache: dict[int, Membership | None] = getattr(group, _MEMBERSHIP_CACHE, None) or {}
    cache[user.pk] = membership
    setattr(group, _MEMBERSHIP_CACHE, cache)


def forget_membership(group: Group) -> None:
    if hasattr(group, _MEMBERSHIP_CACHE):
        delattr(group, _MEMBERSHIP_CACHE)


# --- membership facts ---------------------------------------------------------------------------
def is_group_member(user: Any, group: Group) -> bool:
    """An active member (facilitators included) of the group, whose account is in good standing."""
    if not is_active_member(user):
        return False
    membership = membership_for(user, group)
    return membership is not None and membership.status == MembershipStatus.ACTIVE


def is_facilitator(user: Any, group: Group) -> bool:
    if not is_group_member(user, group):
        return False
    membership = membership_for(user, group)
    return membership is not None and membership.role == MembershipRole.FACILITATOR


def has_current_agreement(user: Any, group: Group) -> bool:
    """The member accepted the group's current agreement (a new version asks again)."""
    membership = membership_for(user, group)
    return (
        membership is not None
        and membership.agreement_version is not None
        and membership.agreement_version >= group.agreement_version
    )


def visible_groups(user: Any) -> QuerySet[Group]:
    """Groups whose public page `user` may see: listed groups that are not archived, and any
    group they belong to, asked to join or were invited to (unlisted ones included)."""
    listed = Q(visibility=GroupVisibility.LISTED, archived_at__isnull=True)
    if not is_active_member(user):
        return Group.objects.none()
    linked = Membership.objects.filter(user_id=user.pk, status__in=_LINKED_STATUSES).values("group_id")
    return Group.objects.filter(listed | Q(pk__in=linked))


def can_view_group(user: Any, group: Group) -> bool:
    """The group's public page (name, description, kind, agreement, seats)."""
    if not is_active_member(user):
        return False
    if group.visibility == GroupVisibility.LISTED and group.archived_at is None:
        return True
    membership = membership_for(user, group)
    return membership is not None and membership.status in _LINKED_STATUSES


def can_view_inside(user: Any, group: Group) -> bool:
    """Threads, case presentations, member list, meetings: active members only."""
    return is_group_member(user, group)


def can_take_part(user: Any, group: Group) -> bool:
    """Write in the group: an active member who accepted the current agreement, while the group
    is not archived."""
    return is_group_member(user, group) and has_current_agreement(user, group) and group.archived_at is None


def can_create_group(user: Any) -> bool:
    return is_verified(user) and (has_role(user, Role.FACILITATOR) or has_role(user, Role.STAFF))


def can_manage_group(user: Any, group: Group) -> bool:
    """Edit details and agreement, decide requests, invite, remove, moderate: a facilitator of
    a group that is not archived."""
    return is_facilitator(user, group) and group.archived_at is None


def can_join_open_group(user: Any, group: Group) -> bool:
    membership = membership_for(user, group)
    return (
        is_verified(user)
        and can_view_group(user, group)
        and group.archived_at is None
        and group.join_policy == JoinPolicy.OPEN
        and (membership is None or membership.status in (MembershipStatus.LEFT, MembershipStatus.DECLINED))
    )


def can_request_to_join(user: Any, group: Group) -> bool:
    membership = membership_for(user, group)
    return (
        is_verified(user)
        and can_view_group(user, group)
        and group.archived_at is None
        and group.join_policy == JoinPolicy.REQUEST
        and (membership is None or membership.status in (MembershipStatus.LEFT, MembershipStatus.DECLINED))
    )


def can_withdraw_request(user: Any, group: Group) -> bool:
    membership = membership_for(user, group)
    return membership is not None and membership.status == MembershipStatus.REQUESTED


def can_answer_invitation(user: Any, group: Group) -> bool:
    membership = membership_for(user, group)
    return (
        is_verified(user)
        and group.archived_at is None
        and membership is not None
        and membership.status == MembershipStatus.INVITED
    )


def can_accept_agreement(user: Any, group: Group) -> bool:
    """Approved members (first acceptance), and active members when the agreement changed."""
    membership = membership_for(user, group)
    if membership is None or group.archived_at is not None or not is_active_member(user):
        return False
    if membership.status == MembershipStatus.APPROVED:
        return True
    return membership.status == MembershipStatus.ACTIVE and not has_current_agreement(user, group)


def can_leave_group(user: Any, group: Group) -> bool:
    membership = membership_for(user, group)
    return (
        is_active_member(user)
        and membership is not None
        and membership.status in (MembershipStatus.ACTIVE, MembershipStatus.APPROVED)
    )


def can_decide_membership(user: Any, membership: Membership) -> bool:
    """Approve or decline a request, or remove a member (not oneself: one leaves)."""
    return can_manage_group(user, membership.group) and membership.user_id != user.pk


def can_post_in_thread(user: Any, thread: Thread) -> bool:
    return can_take_part(user, thread.group) and not thread.is_locked


def _could_edit_post(user: Any, post: Any) -> bool:
    """The author of a visible post in an open thread of a group they are an active member of,
    while the group is not archived: every condition of `can_edit_post` but the agreement."""
    thread = post.thread
    group = thread.group
    return (
        post.author_id == user.pk
        and not post.is_hidden
        and not thread.is_locked
        and is_group_member(user, group)
        and group.archived_at is None
    )


def can_edit_post(user: Any, post: Any) -> bool:
    return _could_edit_post(user, post) and has_current_agreement(user, post.thread.group)


def needs_agreement_to_edit_post(user: Any, post: Any) -> bool:
    """The author could edit the post but for the group's current agreement, which they have not
    accepted (it changed since they joined): the edit page sends them to it, as the reply form
    does. Accepting it is then all `can_edit_post` lacks; nobody else is concerned."""
    return _could_edit_post(user, post) and not has_current_agreement(user, post.thread.group)


# --- loaders (404 for whoever may not see) --------------------------------------------------------
def group_get_for_user(user: Any, pk: int) -> Group:
    """The group for its public page."""
    group = Group.objects.filter(pk=pk).first()
    if group is None or not can_view_group(user, group):
        raise Http404
    return group


def group_inside_get_for_user(user: Any, pk: int) -> Group:
    """The group for an inner page: active members only, 404 for everyone else."""
    group = Group.objects.filter(pk=pk).first()
    if group is None or not can_view_inside(user, group):
        raise Http404
    return group


def thread_get_for_user(user: Any, group: Group, pk: int) -> Thread:
    thread = Thread.objects.filter(pk=pk, group=group).select_related("author__profile", "group").first()
    if thread is None or not can_view_inside(user, group):
        raise Http404
    thread.group = group  # keeps the membership cache
    return thread


def post_get_in_thread(thread: Thread, pk: int) -> Post:
    """A post of a thread the caller has already loaded for its viewer; 404 when it is not there."""
    post = Post.objects.filter(pk=pk, thread=thread).first()
    if post is None:
        raise Http404
    post.thread = thread
    return post


def post_get_for_author(user: Any, thread: Thread, pk: int, *, before_agreement: bool = False) -> Post:
    """A post its author may edit now (not hidden, thread open, still inside the group); 404 for
    anyone else, as for a post that does not exist. With `before_agreement`, also the post of an
    author who only has the group's current agreement left to accept (`needs_agreement_to_edit_post`):
    the caller must then send them to the agreement before anything else."""
    post = post_get_in_thread(thread, pk)
    if can_edit_post(user, post) or (before_agreement and needs_agreement_to_edit_post(user, post)):
        return post
    raise Http404


def presentation_get_for_user(user: Any, group: Group, pk: int) -> CasePresentation:
    presentation = (
        CasePresentation.objects.filter(pk=pk, group=group).select_related("author__profile").first()
    )
    if presentation is None or not can_view_inside(user, group):
        raise Http404
    if presentation.is_hidden and not (presentation.author_id == user.pk or is_facilitator(user, group)):
        raise Http404
    presentation.group = group
    return presentation


def membership_get_for_manager(user: Any, group: Group, pk: int) -> Membership:
    """A membership row for a facilitator's decision: 404 to anyone else."""
    membership = Membership.objects.filter(pk=pk, group=group).select_related("user__profile").first()
    if membership is None or not is_facilitator(user, group):
        raise Http404
    membership.group = group
    return membership


def can_view_post(user: Any, post: Any) -> bool:
    """For reports: an active member of the post's group, the post not hidden."""
    return not post.is_hidden and can_view_inside(user, post.thread.group)


def can_view_presentation(user: Any, presentation: CasePresentation) -> bool:
    return not presentation.is_hidden and can_view_inside(user, presentation.group)
