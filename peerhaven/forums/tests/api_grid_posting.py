"""API-grid expectations: communities, topics, posts, reactions, follows."""

from __future__ import annotations

from typing import Any

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import SESSION, TOKEN, Operation, verified_op
from peerhaven.forums.tests.grid_posting import make_community, make_topic

READ, WRITE = TokenScope.FORUMS_READ, TokenScope.FORUMS_WRITE


def _community(owner: Any) -> dict[str, Any]:
    return {"slug": make_community().slug}


def _topic(owner: Any) -> dict[str, Any]:
    return {"topic_id": make_topic(owner).pk}


def _post(owner: Any) -> dict[str, Any]:
    return {"post_id": make_topic(owner).posts.get().pk}


def _post_kind(owner: Any) -> dict[str, Any]:
    return {**_post(owner), "kind": "support"}


def _only_owner_and_moderator(status: int) -> dict[str, dict[str, int]]:
    # Editing: others who can read the post get 404 (not theirs); moderators may edit.
    expect = verified_op(404)
    for how in (SESSION, TOKEN):
        expect[how] = {**expect[how], "moderator": status}
    return expect


OPERATIONS = [
    Operation("get", "/api/v1/forums/communities", verified_op(200), READ),
    Operation("put", "/api/v1/forums/communities/{slug}/follow", verified_op(200), WRITE, make_path=_community),
    Operation("delete", "/api/v1/forums/communities/{slug}/follow", verified_op(200), WRITE, make_path=_community),
    Operation("get", "/api/v1/forums/communities/{slug}/topics", verified_op(200), READ, make_path=_community),
    Operation("post", "/api/v1/forums/communities/{slug}/topics", verified_op(201), WRITE, make_path=_community,
              owner_status=201, body={"title": "Grid topic", "body": "Hello", "identity_mode": "anonymous"}),
    Operation("put", "/api/v1/forums/topics/{topic_id}/follow", verified_op(200), WRITE, make_path=_topic),
    Operation("delete", "/api/v1/forums/topics/{topic_id}/follow", verified_op(200), WRITE, make_path=_topic),
    Operation("get", "/api/v1/forums/topics/{topic_id}/posts", verified_op(200), READ, make_path=_topic),
    Operation("post", "/api/v1/forums/topics/{topic_id}/posts", verified_op(201), WRITE, make_path=_topic,
              owner_status=201, body={"body": "A reply", "identity_mode": "pseudonym"}),
    Operation("patch", "/api/v1/forums/posts/{post_id}", _only_owner_and_moderator(200), WRITE, make_path=_post,
              body={"body": "Edited"}),
    Operation("post", "/api/v1/forums/posts/{post_id}/reactions", verified_op(200), WRITE, make_path=_post,
              body={"kind": "support"}),
    Operation("delete", "/api/v1/forums/posts/{post_id}/reactions/{kind}", verified_op(200), WRITE,
              make_path=_post_kind),
]
