"""API-grid expectations: groups, membership, agreements, threads and case presentations.

The owner is the group's facilitator; every other state is a stranger to the (listed) group."""

from __future__ import annotations

from typing import Any

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import Operation, verified_op
from peerhaven.groups.tests.grid_groups import facilitated_group


def _group_of(owner: Any) -> dict[str, Any]:
    return {"group_id": facilitated_group(owner).pk}


def _thread_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.services.groups import thread_create

    group = facilitated_group(owner)
    thread = thread_create(actor=owner, group=group, title="Frames", body="Holding the frame.")
    return {"group_id": group.pk, "thread_id": thread.pk}


def _post_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.models.groups import Post

    path = _thread_of(owner)
    path["post_id"] = Post.objects.filter(thread_id=path["thread_id"]).values_list("pk", flat=True).get()
    return path


def _presentation_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.services.groups import presentation_create

    group = facilitated_group(owner)
    presentation = presentation_create(
        actor=owner, group=group, title="Stuck", presenting_question="How do I respond?",
        context="Weekly sessions.", vignette="A client feels unheard.", needs="Ideas.",
    )
    return {"group_id": group.pk, "presentation_id": presentation.pk}


def _request_of(owner: Any) -> dict[str, Any]:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.groups.services.groups import membership_request

    group = facilitated_group(owner)
    membership = membership_request(actor=make_member(verified=True), group=group)
    return {"group_id": group.pk, "membership_id": membership.pk}


_THREAD = {"title": "Frames", "body": "How do you hold the frame with a late client?"}
_CASE = {"title": "Stuck", "presenting_question": "How do I respond?", "context": "Weekly sessions.",
         "vignette": "A client in their forties feels unheard.", "needs": "Ideas for the next session."}

OPERATIONS: list[Operation] = [
    Operation("get", "/api/v1/groups", verified_op(200), TokenScope.GROUPS_READ),
    Operation("get", "/api/v1/groups/mine", verified_op(200), TokenScope.GROUPS_READ),
    Operation("get", "/api/v1/groups/{group_id}", verified_op(200), TokenScope.GROUPS_READ, make_path=_group_of),
    # A stranger's request to a listed request group is taken; its facilitator is refused.
    Operation("post", "/api/v1/groups/{group_id}/join-request", verified_op(200), TokenScope.GROUPS_WRITE,
              make_path=_group_of, owner_status=403),
    # Strangers have nothing to accept (403); the facilitator's acceptance of the current
    # version is a no-op that answers with their membership.
    Operation("post", "/api/v1/groups/{group_id}/agreement/acceptance", verified_op(403), TokenScope.GROUPS_WRITE,
              body={"version": 1}, make_path=_group_of, owner_status=403),
    # The only facilitator cannot leave (403); strangers are not members (403).
    Operation("post", "/api/v1/groups/{group_id}/leave", verified_op(403), TokenScope.GROUPS_WRITE,
              make_path=_group_of, owner_status=403),
    Operation("get", "/api/v1/groups/{group_id}/members", verified_op(404), TokenScope.GROUPS_READ,
              make_path=_group_of),
    # Only facilitators invite; the owner inviting a pseudonym nobody has gets the field's 422.
    Operation("post", "/api/v1/groups/{group_id}/invitations", verified_op(404), TokenScope.GROUPS_WRITE,
              body={"pseudonym": "nobody-by-this-name"}, make_path=_group_of, owner_status=422),
    Operation("post", "/api/v1/groups/{group_id}/memberships/{membership_id}/decision", verified_op(404),
              TokenScope.GROUPS_WRITE, body={"decision": "approve"}, make_path=_request_of),
    Operation("get", "/api/v1/groups/{group_id}/threads", verified_op(404), TokenScope.GROUPS_READ,
              make_path=_group_of),
    Operation("post", "/api/v1/groups/{group_id}/threads", verified_op(404), TokenScope.GROUPS_WRITE,
              body=_THREAD, make_path=_group_of, owner_status=201),
    Operation("get", "/api/v1/groups/{group_id}/threads/{thread_id}/posts", verified_op(404),
              TokenScope.GROUPS_READ, make_path=_thread_of),
    Operation("post", "/api/v1/groups/{group_id}/threads/{thread_id}/posts", verified_op(404),
              TokenScope.GROUPS_WRITE, body={"body": "Thank you, this helps."}, make_path=_thread_of,
              owner_status=201),
    # Only the author edits a post (the owner wrote the thread's opening post).
    Operation("patch", "/api/v1/groups/{group_id}/threads/{thread_id}/posts/{post_id}", verified_op(404),
              TokenScope.GROUPS_WRITE, body={"body": "Holding the frame, gently."}, make_path=_post_of,
              owner_status=200),
    Operation("get", "/api/v1/groups/{group_id}/case-presentations", verified_op(404), TokenScope.GROUPS_READ,
              make_path=_group_of),
    Operation("post", "/api/v1/groups/{group_id}/case-presentations", verified_op(404), TokenScope.GROUPS_WRITE,
              body=_CASE, make_path=_group_of, owner_status=201),
    Operation("get", "/api/v1/groups/{group_id}/case-presentations/{presentation_id}", verified_op(404),
              TokenScope.GROUPS_READ, make_path=_presentation_of),
]
