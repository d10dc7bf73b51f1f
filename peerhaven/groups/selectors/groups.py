"""Reads for groups: the staff setting, the directory, a member's groups, member lists and
requests, the current agreement, threads with their posts, case presentations with comments.
Each returns what its page needs in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from peerhaven.groups.models.groups import (
    GROUP_SETTINGS_PK,
    SEAT_STATUSES,
    CaseComment,
    CasePresentation,
    Group,
    GroupAgreement,
    GroupJurisdiction,
    GroupSettings,
    GroupVisibility,
    Membership,
    MembershipRole,
    MembershipStatus,
    Post,
    Thread,
)

DIRECTORY_PAGE_SIZE = 20
THREADS_PAGE_SIZE = 30
POSTS_PAGE_SIZE = 50


def group_settings() -> GroupSettings:
    """The staff's settings row, or the defaults (unsaved) when staff never changed them."""
    return GroupSettings.objects.filter(pk=GROUP_SETTINGS_PK).first() or GroupSettings(pk=GROUP_SETTINGS_PK)


def max_group_size() -> int:
    return int(group_settings().max_group_size)


def _seat_count() -> Count:
    return Count("memberships", filter=Q(memberships__status__in=SEAT_STATUSES), distinct=True)


def seats_taken(group: Group) -> int:
    cached = getattr(group, "seats_taken", None)
    if cached is not None:
        return int(cached)
    return Membership.objects.filter(group=group, status__in=SEAT_STATUSES).count()


def _with_my_status(groups: QuerySet[Group], user: Any) -> QuerySet[Group]:
    mine = Membership.objects.filter(group=OuterRef("pk"), user_id=int(getattr(user, "pk", 0) or 0))
    return groups.annotate(my_status=Subquery(mine.values("status")[:1]),
                           my_role=Subquery(mine.values("role")[:1]))


@dataclass(frozen=True)
class DirectoryFilters:
    kind: str = ""
    language: str = ""
    band: str = ""
    jurisdiction: str = ""
    open_seats: bool = False


def directory(user: Any, filters: DirectoryFilters) -> QuerySet[Group]:
    """Listed groups that are not archived, filtered; each annotated with `seats_taken` and the
    viewer's `my_status`, with its jurisdictions prefetched (two queries in all)."""
    groups = Group.objects.filter(visibility=GroupVisibility.LISTED, archived_at__isnull=True)
    if filters.kind:
        groups = groups.filter(kind=filters.kind)
    if filters.language:
        groups = groups.filter(language=filters.language)
    if filters.band:
        groups = groups.filter(time_zone_band=filters.band)
    if filters.jurisdiction:
        groups = groups.filter(Exists(GroupJurisdiction.objects.filter(
            group=OuterRef("pk"), name__iexact=filters.jurisdiction.strip())))
    groups = groups.annotate(seats_taken=_seat_count())
    if filters.open_seats:
        groups = groups.filter(seats_taken__lt=F("capacity"))
    groups = _with_my_status(groups, user)
    return groups.prefetch_related("jurisdictions").order_by("name", "pk")


def directory_page(user: Any, filters: DirectoryFilters, page_number: Any) -> Page[Group]:
    return Paginator(directory(user, filters), DIRECTORY_PAGE_SIZE).get_page(page_number)


def jurisdiction_choices() -> list[str]:
    """Distinct jurisdictions of listed groups, for the directory's filter."""
    names = (
        GroupJurisdiction.objects.filter(group__visibility=GroupVisibility.LISTED, group__archived_at__isnull=True)
        .values_list("name", flat=True).distinct().order_by("name")
    )
    return list(names)


def my_groups(user: Any) -> QuerySet[Group]:
    """Groups the user belongs to, has been approved for, invited to or asked to join."""
    groups = Group.objects.filter(
        memberships__user_id=user.pk,
        memberships__status__in=(MembershipStatus.ACTIVE, MembershipStatus.APPROVED,
                                 MembershipStatus.INVITED, MembershipStatus.REQUESTED),
    ).annotate(seats_taken=_seat_count())
    return _with_my_status(groups, user).order_by("archived_at", "name", "pk")


def group_detail(pk: int) -> Group | None:
    return Group.objects.filter(pk=pk).annotate(seats_taken=_seat_count()).prefetch_related("jurisdictions").first()


def facilitators_of(group: Group) -> list[Membership]:
    return list(
        Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE, role=MembershipRole.FACILITATOR)
        .select_related("user__profile").order_by("joined_at", "pk")
    )


def members_of(group: Group) -> QuerySet[Membership]:
    """Seated members (active, and approved but not yet agreed), facilitators first."""
    return (
        Membership.objects.filter(group=group, status__in=SEAT_STATUSES)
        .select_related("user__profile")
        .order_by("-role", "joined_at", "pk")
    )


def pending_of(group: Group) -> QuerySet[Membership]:
    """Requests waiting for a decision and invitations waiting for an answer."""
    return (
        Membership.objects.filter(group=group, status__in=(MembershipStatus.REQUESTED, MembershipStatus.INVITED))
        .select_related("user__profile")
        .order_by("status", "requested_at", "pk")
    )


def current_agreement(group: Group) -> GroupAgreement | None:
    return GroupAgreement.objects.filter(group=group).order_by("-version").first()


def threads_of(group: Group) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(group=group)
        .select_related("author__profile")
        .annotate(post_count=Count("posts", filter=Q(posts__hidden_at__isnull=True)))
        .order_by("-last_post_at", "-pk")
    )


def posts_of(thread: Thread) -> QuerySet[Post]:
    return Post.objects.filter(thread=thread).select_related("author__profile").order_by("created_at", "pk")


def presentations_of(group: Group, viewer: Any, *, show_hidden: bool = False) -> QuerySet[CasePresentation]:
    presentations = CasePresentation.objects.filter(group=group)
    if not show_hidden:
        presentations = presentations.filter(Q(hidden_at__isnull=True) | Q(author_id=viewer.pk))
    return (
        presentations.select_related("author__profile")
        .annotate(comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True)))
        .order_by("-created_at", "-pk")
    )


def comments_of(presentation: CasePresentation) -> QuerySet[CaseComment]:
    return (
        CaseComment.objects.filter(presentation=presentation)
        .select_related("author__profile")
        .order_by("created_at", "pk")
    )



def export_member(user: Any) -> dict[str, Any]:
    """The privacy export's groups section: the member's memberships and what they wrote (their
    own words only; other members' posts and names stay out)."""
    memberships = Membership.objects.filter(user=user).select_related("group").order_by("pk")
    return {
        "memberships": [
            {"group": m.group.name, "role": m.role, "status": m.status, "joined_at": m.joined_at,
             "agreement_version": m.agreement_version, "agreement_accepted_at": m.agreement_accepted_at,
             "ended_at": m.ended_at}
            for m in memberships
        ],
        "threads_started": [
            {"group": t.group.name, "title": t.title, "created_at": t.created_at}
            for t in Thread.objects.filter(author=user).select_related("group").order_by("pk")
        ],
        "posts": [
            {"group": p.thread.group.name, "thread": p.thread.title, "body": p.body, "created_at": p.created_at,
             "edited_at": p.edited_at}
            for p in Post.objects.filter(author=user).select_related("thread__group").order_by("pk")
        ],
        "case_presentations": [
            {"group": c.group.name, "title": c.title, "presenting_question": c.presenting_question,
             "context": c.context, "vignette": c.vignette, "needs": c.needs, "created_at": c.created_at}
            for c in CasePresentation.objects.filter(author=user).select_related("group").order_by("pk")
        ],
        "case_comments": [
            {"group": c.presentation.group.name, "body": c.body, "created_at": c.created_at}
            for c in CaseComment.objects.filter(author=user).select_related("presentation__group").order_by("pk")
        ],
    }
