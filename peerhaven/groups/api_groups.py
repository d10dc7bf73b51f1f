"""/api/v1 for groups, membership, agreements, threads and case presentations.

A thin edge over the same selectors, policies and services as the pages: the directory and a
group's public face, asking to join, accepting the agreement (which is how one joins an open
group, answers an invitation or completes an approved request), leaving, the facilitators'
decisions, and the group's threads and case presentations. Case material refused by the PHI
guard comes back as a 422 whose `findings` list categories and offsets (never the text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from peerhaven.accounts.models import User
from peerhaven.api.errors import field_errors_from_django
from peerhaven.api.schemas import FieldErrorOut
from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.groups.models.groups import CasePresentation, Group, Membership, Post, Thread
from peerhaven.groups.policies.groups import (
    can_manage_group,
    can_take_part,
    group_get_for_user,
    group_inside_get_for_user,
    has_current_agreement,
    is_facilitator,
    membership_for,
    membership_get_for_manager,
    post_get_for_author,
    presentation_get_for_user,
    thread_get_for_user,
)
from peerhaven.groups.selectors.groups import (
    DIRECTORY_PAGE_SIZE,
    POSTS_PAGE_SIZE,
    THREADS_PAGE_SIZE,
    DirectoryFilters,
    directory,
    group_detail,
    members_of,
    my_groups,
    posts_of,
    presentations_of,
    seats_taken,
    threads_of,
)
from peerhaven.groups.services.groups import (
    GroupFull,
    PhiRefused,
    agreement_accept,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_leave,
    membership_remove,
    membership_request,
    post_create,
    post_edit,
    presentation_create,
    thread_create,
)

router = Router(tags=["groups"])


# --- schemas ----------------------------------------------------------------------------------
class GroupOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    visibility: str
    join_policy: str
    capacity: int
    seats_taken: int
    language: str
    time_zone: str
    time_zone_band: str
    jurisdictions: list[str]
    archived: bool
    # The caller's own relation to the group ("" when none).
    my_status: str
    my_role: str


class GroupDetailOut(GroupOut):
    agreement_version: int
    agreement_accepted: bool
    can_take_part: bool


class GroupPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[GroupOut]


class MembershipOut(Schema):
    id: int
    group_id: int
    member: str
    role: str
    status: str
    agreement_version: int | None
    agreement_accepted_at: dt.datetime | None
    joined_at: dt.datetime | None


class AgreementAcceptIn(Schema):
    version: int


class InviteIn(Schema):
    pseudonym: str


class DecisionIn(Schema):
    decision: Literal["approve", "decline", "remove"]


class FindingOut(Schema):
    field: str
    start: int
    end: int
    category: str
    severity: str


class PhiValidationErrorOut(Schema):
    detail: list[FieldErrorOut]
    # What the PHI guard found, per field: positions and categories, never the text. Absent when
    # the 422 is plain invalid input (answered by the API's shared handler, without findings).
    findings: list[FindingOut] = []


class ThreadIn(Schema):
    title: str
    body: str
    # Soft findings (a possible name or place) pass only with this set: the author confirms
    # they do not identify anyone. Structured identifiers are always refused.
    confirm_not_identifying: bool = False


class PostIn(Schema):
    body: str
    confirm_not_identifying: bool = False


class PresentationIn(Schema):
    title: str
    presenting_question: str
    context: str
    vignette: str
    needs: str
    confirm_not_identifying: bool = False


class ThreadOut(Schema):
    id: int
    group_id: int
    title: str
    author: str
    created_at: dt.datetime
    last_post_at: dt.datetime
    locked: bool
    post_count: int


class PostOut(Schema):
    id: int
    thread_id: int
    author: str
    body: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    hidden: bool
    mine: bool


class PresentationOut(Schema):
    id: int
    group_id: int
    author: str
    title: str
    presenting_question: str
    context: str
    vignette: str
    needs: str
    created_at: dt.datetime
    hidden: bool
    mine: bool


# --- helpers ----------------------------------------------------------------------------------
def _verified_member(request: HttpRequest) -> User:
    candidate: Any = getattr(request, "auth", None)
    if candidate is not None and not isinstance(candidate, User):
        candidate = getattr(candidate, "user", None)
    if not isinstance(candidate, User):
        candidate = getattr(request, "user", None)
    if not isinstance(candidate, User) or not candidate.is_authenticated:
        raise HttpError(401, _("Please sign in."))
    if not is_active_member(candidate):
        raise HttpError(403, _("This account is suspended."))
    if not is_verified(candidate):
        raise HttpError(403, _("Groups are for verified members."))
    return candidate


def _group_out(group: Group, *, my_status: str = "", my_role: str = "") -> dict[str, Any]:
    return {
        "id": group.pk, "name": group.name, "description": group.description, "kind": group.kind,
        "visibility": group.visibility, "join_policy": group.join_policy, "capacity": group.capacity,
        "seats_taken": seats_taken(group), "language": group.language, "time_zone": group.time_zone,
        "time_zone_band": group.time_zone_band, "jurisdictions": [j.name for j in group.jurisdictions.all()],
        "archived": group.archived_at is not None,
        "my_status": my_status or getattr(group, "my_status", None) or "",
        "my_role": my_role or getattr(group, "my_role", None) or "",
    }


def _membership_out(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk, "group_id": membership.group_id, "member": membership.user.public_name,
        "role": membership.role, "status": membership.status, "agreement_version": membership.agreement_version,
        "agreement_accepted_at": membership.agreement_accepted_at, "joined_at": membership.joined_at,
    }


def _phi_refusal(refused: PhiRefused) -> Status[dict[str, Any]]:
    findings = [
        {"field": field, "start": f.start, "end": f.end, "category": f.category, "severity": f.severity}
        for field, found in refused.findings.items() for f in found
    ]
    return Status(422, {"detail": field_errors_from_django(refused), "findings": findings})


def _guarded_write(status: int, write: Callable[[], Any], out: Callable[[Any], dict[str, Any]]) -> Status[dict[str, Any]]:
    """A write through a service that runs the PHI guard: its findings as a 422 (never the text),
    a refusal as a 403, else `status` with what `out` makes of the result."""
    try:
        result = write()
    except PhiRefused as refused:
        return _phi_refusal(refused)
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from refusal
    return Status(status, out(result))


def _thread_out(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.pk, "group_id": thread.group_id, "title": thread.title, "author": thread.author_name,
        "created_at": thread.created_at, "last_post_at": thread.last_post_at, "locked": thread.is_locked,
        "post_count": int(getattr(thread, "post_count", 1)),
    }


def _post_out(post: Post, *, viewer: User, show_hidden: bool) -> dict[str, Any]:
    visible = not post.is_hidden or show_hidden or post.author_id == viewer.pk
    return {
        "id": post.pk, "thread_id": post.thread_id, "author": post.author_name,
        "body": post.body if visible else "", "created_at": post.created_at, "edited_at": post.edited_at,
        "hidden": post.is_hidden, "mine": post.author_id == viewer.pk,
    }


def _presentation_out(presentation: CasePresentation, *, viewer: User) -> dict[str, Any]:
    return {
        "id": presentation.pk, "group_id": presentation.group_id, "author": presentation.author_name,
        "title": presentation.title, "presenting_question": presentation.presenting_question,
        "context": presentation.context, "vignette": presentation.vignette, "needs": presentation.needs,
        "created_at": presentation.created_at, "hidden": presentation.is_hidden,
        "mine": presentation.author_id == viewer.pk,
    }


def _page_number(page: int) -> int:
    return max(1, page)


# --- directory and detail -----------------------------------------------------------------
class DirectoryQuery(Schema):
    kind: str = ""
    language: str = ""
    band: str = ""
    jurisdiction: str = ""
    open_seats: bool = False
    page: int = 1


@router.get("/groups", response=GroupPageOut, summary="The group directory (listed groups)")
def groups_directory(request: HttpRequest, filters: Query[DirectoryQuery]) -> dict[str, Any]:
    member = _verified_member(request)
    # A NUL character matches nothing (and PostgreSQL refuses it in a query).
    found = directory(member, DirectoryFilters(
        kind=filters.kind.replace("\x00", ""), language=filters.language.replace("\x00", ""),
        band=filters.band.replace("\x00", ""),
        jurisdiction=filters.jurisdiction.replace("\x00", ""), open_seats=filters.open_seats,
    ))
    page = Paginator(found, DIRECTORY_PAGE_SIZE).get_page(_page_number(filters.page))
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": [_group_out(group) for group in page]}


@router.get("/groups/mine", response=list[GroupOut], summary="My groups, invitations and requests")
def groups_mine(request: HttpRequest) -> list[dict[str, Any]]:
    member = _verified_member(request)
    return [_group_out(group) for group in my_groups(member).prefetch_related("jurisdictions")]


@router.get("/groups/{group_id}", response=GroupDetailOut, summary="One group's public face")
def group_get(request: HttpRequest, group_id: int) -> dict[str, Any]:
    member = _verified_member(request)
    group_get_for_user(member, group_id)  # 404 for what the caller may not see
    group = group_detail(group_id)
    assert group is not None
    membership = membership_for(member, group)
    return {
        **_group_out(group, my_status=membership.status if membership else "",
                     my_role=membership.role if membership else ""),
        "agreement_version": group.agreement_version,
        "agreement_accepted": membership is not None and has_current_agreement(member, group),
        "can_take_part": can_take_part(member, group),
    }


# --- membership -----------------------------------------------------------------------------
@router.post("/groups/{group_id}/join-request", response={200: MembershipOut}, summary="Ask to join a group")
def group_join_request(request: HttpRequest, group_id: int) -> dict[str, Any]:
    member = _verified_member(request)
    group = group_get_for_user(member, group_id)
    try:
        membership = membership_request(actor=member, group=group, request=request)
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from refusal
    return _membership_out(membership)


@router.post("/groups/{group_id}/agreement/acceptance", response={200: MembershipOut},
             summary="Accept the group agreement (join an open group, answer an invitation, complete an approved request, or accept a changed agreement)")
def group_agreement_accept(request: HttpRequest, group_id: int, payload: AgreementAcceptIn) -> dict[str, Any]:
    member = _verified_member(request)
    group = group_get_for_user(member, group_id)
    try:
        membership = agreement_accept(actor=member, group=group, version=payload.version, request=request)
    except GroupFull as full:
        raise HttpError(409, str(full)) from full
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from refusal
    return _membership_out(membership)


@router.post("/groups/{group_id}/leave", response={200: MembershipOut}, summary="Leave a group")
def group_leave_api(request: HttpRequest, group_id: int) -> dict[str, Any]:
    member = _verified_member(request)
    group = group_get_for_user(member, group_id)
    try:
        membership = membership_leave(actor=member, group=group, request=request)
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from refusal
    return _membership_out(membership)


@router.get("/groups/{group_id}/members", response=list[MembershipOut], summary="A group's members (members only)")
def group_members(request: HttpRequest, group_id: int) -> list[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    return [_membership_out(m) for m in members_of(group)]


@router.post("/groups/{group_id}/invitations", response={201: MembershipOut},
             summary="A facilitator invites a verified member by their pseudonym")
def membership_invitation(request: HttpRequest, group_id: int, payload: InviteIn) -> Status[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    if not can_manage_group(member, group):
        raise Http404
    # An unknown pseudonym and one that cannot be invited get the same 422 (no enumeration).
    invited = membership_invite(actor=member, group=group, pseudonym=payload.pseudonym[:200], request=request)
    return Status(201, _membership_out(invited))


@router.post("/groups/{group_id}/memberships/{membership_id}/decision", response={200: MembershipOut},
             summary="A facilitator approves or declines a request, or removes a member")
def membership_decision(request: HttpRequest, group_id: int, membership_id: int, payload: DecisionIn) -> dict[str, Any]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    target = membership_get_for_manager(member, group, membership_id)
    try:
        if payload.decision == "approve":
            result = membership_approve(actor=member, membership=target, request=request)
        elif payload.decision == "decline":
            result = membership_decline(actor=member, membership=target, request=request)
        else:
            result = membership_remove(actor=member, membership=target, request=request)
    except GroupFull as full:
        raise HttpError(409, str(full)) from full
    except PermissionDenied as refusal:
        raise HttpError(409 if can_manage_group(member, group) else 403, str(refusal)) from refusal
    result.user = target.user
    return _membership_out(result)


# --- threads --------------------------------------------------------------------------------
@router.get("/groups/{group_id}/threads", response=list[ThreadOut], summary="A group's threads (members only)")
def group_threads(request: HttpRequest, group_id: int, page: int = 1) -> list[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    return [_thread_out(t) for t in Paginator(threads_of(group), THREADS_PAGE_SIZE).get_page(_page_number(page))]


@router.post("/groups/{group_id}/threads", response={201: ThreadOut, 422: PhiValidationErrorOut},
             summary="Start a thread (checked by the PHI guard)")
def group_thread_create(request: HttpRequest, group_id: int, payload: ThreadIn) -> Status[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    return _guarded_write(201, lambda: thread_create(
        actor=member, group=group, title=payload.title, body=payload.body,
        phi_confirmed=payload.confirm_not_identifying, request=request,
    ), _thread_out)


@router.get("/groups/{group_id}/threads/{thread_id}/posts", response=list[PostOut], summary="A thread's posts")
def thread_posts(request: HttpRequest, group_id: int, thread_id: int, page: int = 1) -> list[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    thread = thread_get_for_user(member, group, thread_id)
    show_hidden = is_facilitator(member, group)
    posts = Paginator(posts_of(thread), POSTS_PAGE_SIZE).get_page(_page_number(page))
    return [_post_out(p, viewer=member, show_hidden=show_hidden) for p in posts]


@router.post("/groups/{group_id}/threads/{thread_id}/posts", response={201: PostOut, 422: PhiValidationErrorOut},
             summary="Reply in a thread (checked by the PHI guard)")
def thread_post_create(request: HttpRequest, group_id: int, thread_id: int, payload: PostIn) -> Status[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    thread = thread_get_for_user(member, group, thread_id)
    return _guarded_write(201, lambda: post_create(
        actor=member, thread=thread, body=payload.body, phi_confirmed=payload.confirm_not_identifying, request=request,
    ), lambda post: _post_out(post, viewer=member, show_hidden=False))


@router.patch("/groups/{group_id}/threads/{thread_id}/posts/{post_id}", response={200: PostOut, 422: PhiValidationErrorOut},
              summary="Edit my own post (checked by the PHI guard)")
def thread_post_edit(request: HttpRequest, group_id: int, thread_id: int, post_id: int,
                     payload: PostIn) -> Status[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    thread = thread_get_for_user(member, group, thread_id)
    post = post_get_for_author(member, thread, post_id)
    post.author = member  # the author is the one asking: their name needs no query
    return _guarded_write(200, lambda: post_edit(
        actor=member, post=post, body=payload.body, phi_confirmed=payload.confirm_not_identifying, request=request,
    ), lambda edited: _post_out(edited, viewer=member, show_hidden=False))


# --- case presentations ---------------------------------------------------------------------
@router.get("/groups/{group_id}/case-presentations", response=list[PresentationOut],
            summary="A group's case presentations (members only)")
def group_presentations(request: HttpRequest, group_id: int, page: int = 1) -> list[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    presentations = presentations_of(group, member, show_hidden=is_facilitator(member, group))
    return [_presentation_out(p, viewer=member)
            for p in Paginator(presentations, THREADS_PAGE_SIZE).get_page(_page_number(page))]


@router.post("/groups/{group_id}/case-presentations", response={201: PresentationOut, 422: PhiValidationErrorOut},
             summary="Present a case from the template (checked by the PHI guard)")
def group_presentation_create(request: HttpRequest, group_id: int, payload: PresentationIn) -> Status[dict[str, Any]]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    def write() -> CasePresentation:
        presentation = presentation_create(
            actor=member, group=group, title=payload.title, presenting_question=payload.presenting_question,
            context=payload.context, vignette=payload.vignette, needs=payload.needs,
            phi_confirmed=payload.confirm_not_identifying, request=request,
        )
        presentation.author = member
        return presentation

    return _guarded_write(201, write, lambda presentation: _presentation_out(presentation, viewer=member))


@router.get("/groups/{group_id}/case-presentations/{presentation_id}", response=PresentationOut,
            summary="One case presentation (members only)")
def group_presentation_get(request: HttpRequest, group_id: int, presentation_id: int) -> dict[str, Any]:
    member = _verified_member(request)
    group = group_inside_get_for_user(member, group_id)
    return _presentation_out(presentation_get_for_user(member, group, presentation_id), viewer=member)
