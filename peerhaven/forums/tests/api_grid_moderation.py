"""API-grid expectations: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library."""

from __future__ import annotations

from typing import Any

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import SESSION, TOKEN, Operation, verified_op
from peerhaven.forums.tests.grid_posting import make_post

READ, WRITE = TokenScope.FORUMS_READ, TokenScope.FORUMS_WRITE


def _post(owner: Any) -> dict[str, Any]:
    return {"post_id": make_post(owner).pk}


def _moderators_only(status: int) -> dict[str, dict[str, int]]:
    # Verified members who are not moderators get a 404: the tools are not advertised.
    expect = verified_op(404)
    for how in (SESSION, TOKEN):
        expect[how] = {**expect[how], "moderator": status}
    return expect


OPERATIONS = [
    Operation("get", "/api/v1/forums/search", verified_op(200), READ, query={"q": "hello"}),
    # The owner cannot report their own post (400); everyone else who can read it may.
    Operation("post", "/api/v1/forums/posts/{post_id}/flag", verified_op(200), WRITE, body={"reason": "spam"},
              make_path=_post, owner_status=400),
    Operation("get", "/api/v1/forums/moderation/queue", _moderators_only(200), READ, owner_status=404),
    Operation("post", "/api/v1/forums/moderation/posts/{post_id}/hide", _moderators_only(200), WRITE,
              make_path=_post, owner_status=404),
    Operation("post", "/api/v1/forums/moderation/posts/{post_id}/restore", _moderators_only(200), WRITE,
              make_path=_post, owner_status=404),
    Operation("get", "/api/v1/forums/digest", verified_op(200), READ),
    Operation("put", "/api/v1/forums/digest", verified_op(200), WRITE, body={"frequency": "weekly"}),
    Operation("get", "/api/v1/forums/library", verified_op(200), READ),
]
