"""Permission-grid expectations: groups, membership, agreements, threads and case presentations.

The owner of each object is the group's facilitator (an active member); every other state is a
stranger to the group. `MEMBER_STATUSES` adds, per inner route, what a plain member and people
with each other membership status get (walked by test_groups_permissions.py)."""

from __future__ import annotations

from typing import Any

from peerhaven.core.tests.grid_rules import Route, role, verified


def facilitated_group(owner: Any, **overrides: Any) -> Any:
    """A listed request-policy group whose facilitator is `owner` (given the facilitator role)."""
    from peerhaven.accounts.models import Role, RoleGrant
    from peerhaven.core.policies import forget_cached_roles
    from peerhaven.groups.services.groups import group_create

    RoleGrant.objects.get_or_create(user=owner, role=Role.FACILITATOR)
    forget_cached_roles(owner)
    fields: dict[str, Any] = {
        "name": "Grid consultation", "description": "", "kind": "consultation", "visibility": "listed",
        "join_policy": "request", "capacity": 8, "language": "en", "time_zone": "Europe/Paris",
        "jurisdictions": ["Oregon"], "agreement_text": "We keep what is said here confidential.",
    }
    fields.update(overrides)
    return group_create(actor=owner, **fields)


def _group(owner: Any) -> dict[str, Any]:
    return {"pk": facilitated_group(owner).pk}


def _thread(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.services.groups import thread_create

    group = facilitated_group(owner)
    thread = thread_create(actor=owner, group=group, title="Boundaries", body="How do you hold the frame?")
    return {"pk": group.pk, "thread_pk": thread.pk}


def _post(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.models.groups import Post

    kwargs = _thread(owner)
    kwargs["post_pk"] = Post.objects.filter(thread_id=kwargs["thread_pk"]).values_list("pk", flat=True).first()
    return kwargs


def _presentation(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.services.groups import presentation_create

    group = facilitated_group(owner)
    presentation = presentation_create(
        actor=owner, group=group, title="Stuck with anger", presenting_question="How do I respond?",
        context="Weekly sessions for a year.", vignette="A client in their forties feels unheard.",
        needs="Ideas for the next session.",
    )
    return {"pk": group.pk, "presentation_pk": presentation.pk}


def _comment(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.models.groups import CasePresentation
    from peerhaven.groups.services.groups import comment_create

    kwargs = _presentation(owner)
    presentation = CasePresentation.objects.get(pk=kwargs["presentation_pk"])
    comment = comment_create(actor=owner, presentation=presentation, body="Thank you for bringing this.")
    return {**kwargs, "comment_pk": comment.pk}


def _request(owner: Any) -> dict[str, Any]:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.groups.services.groups import membership_request

    group = facilitated_group(owner)
    asker = make_member(verified=True)
    membership = membership_request(actor=asker, group=group)
    return {"pk": group.pk, "membership_pk": membership.pk, "action": "approve"}


# Inner pages and tools: strangers to the group get a 404 (the unverified the kind 403 page).
_INSIDE = verified(404)

ROUTES = [
    Route("groups:directory", verified(200)),
    Route("groups:group_create", role("staff", "facilitator")),
    Route("groups:settings", role("staff")),
    Route("groups:group_detail", verified(200), make_kwargs=_group, owner_status=200),
    Route("groups:group_edit", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:group_archive", _INSIDE, make_kwargs=_group, owner_status=200),
    # The agreement is part of a listed group's public face: read it before joining.
    Route("groups:agreement", verified(200), make_kwargs=_group, owner_status=200),
    Route("groups:agreement_edit", _INSIDE, make_kwargs=_group, owner_status=200),
    # Asking to join a listed request group: strangers' requests are taken (302 back to the
    # group); its facilitator is told they are already in (302 with a message).
    Route("groups:group_join", verified(302), make_kwargs=_group, owner_status=302, method="post"),
    Route("groups:request_withdraw", verified(302), make_kwargs=_group, owner_status=302, method="post"),
    Route("groups:invitation_decline", verified(302), make_kwargs=_group, owner_status=302, method="post"),
    # Only members leave; the only facilitator is asked to name another one first.
    Route("groups:group_leave", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:members", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:member_invite", _INSIDE, make_kwargs=_group, owner_status=400, method="post",
          data={"pseudonym": "nobody-by-this-name"}),
    Route("groups:membership_decide", _INSIDE, make_kwargs=_request, owner_status=302, method="post"),
    Route("groups:thread_list", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:thread_create", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:thread_detail", _INSIDE, make_kwargs=_thread, owner_status=200),
    Route("groups:thread_reply", _INSIDE, make_kwargs=_thread, owner_status=400, method="post"),
    Route("groups:thread_lock", _INSIDE, make_kwargs=_thread, owner_status=302, method="post"),
    Route("groups:post_hide", _INSIDE, make_kwargs=_post, owner_status=302, method="post"),
    # Only the post's author edits it (the owner wrote the opening post): others get 404.
    Route("groups:post_edit", _INSIDE, make_kwargs=_post, owner_status=200),
    Route("groups:presentation_list", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:presentation_create", _INSIDE, make_kwargs=_group, owner_status=200),
    Route("groups:presentation_detail", _INSIDE, make_kwargs=_presentation, owner_status=200),
    Route("groups:presentation_comment", _INSIDE, make_kwargs=_presentation, owner_status=400, method="post"),
    Route("groups:presentation_hide", _INSIDE, make_kwargs=_presentation, owner_status=302, method="post"),
    Route("groups:comment_hide", _INSIDE, make_kwargs=_comment, owner_status=302, method="post"),
]

# What a person with each membership status in the owner's group gets on the routes above
# ("member": active member who accepted the agreement; the others are not inside the group).
_STRANGER_INSIDE = {"member": 200, "approved": 404, "requested": 404, "invited": 404, "left": 404,
                    "removed": 404, "declined": 404}
_FACILITATOR_TOOL = {**_STRANGER_INSIDE, "member": 404}
MEMBER_STATUSES: dict[str, dict[str, int]] = {
    "groups:group_detail": dict.fromkeys(_STRANGER_INSIDE, 200),
    "groups:agreement": dict.fromkeys(_STRANGER_INSIDE, 200),
    "groups:group_edit": _FACILITATOR_TOOL,
    "groups:group_archive": _FACILITATOR_TOOL,
    "groups:agreement_edit": _FACILITATOR_TOOL,
    "groups:group_leave": {**_STRANGER_INSIDE, "approved": 200},
    "groups:members": _STRANGER_INSIDE,
    "groups:thread_list": _STRANGER_INSIDE,
    "groups:thread_create": _STRANGER_INSIDE,
    "groups:thread_detail": _STRANGER_INSIDE,
    "groups:thread_lock": _FACILITATOR_TOOL,
    "groups:post_hide": _FACILITATOR_TOOL,
    "groups:post_edit": _FACILITATOR_TOOL,
    "groups:presentation_list": _STRANGER_INSIDE,
    "groups:presentation_create": _STRANGER_INSIDE,
    "groups:presentation_detail": _STRANGER_INSIDE,
    "groups:presentation_hide": _FACILITATOR_TOOL,
    "groups:comment_hide": _FACILITATOR_TOOL,
}
