"""The posting API: the same rules as the pages, and never an author id for anonymous posts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.models import Role
from peerhaven.api.tests.api_grid_rules import SESSION, TOKEN, UNKNOWN_TOKEN
from peerhaven.forums.models.posting import Audience, Reaction
from peerhaven.forums.tests.api_grid_posting import OPERATIONS
from peerhaven.forums.tests.grid_posting import make_community, make_post, make_topic, seasoned

pytestmark = pytest.mark.django_db


def _bearer(user: Any) -> dict[str, str]:
    from peerhaven.api.tests.conftest import bearer_for

    return bearer_for(user, ["forums:read", "forums:write"])


def test_it_never_serialises_the_author_of_an_anonymous_post(member_factory, client_for):
    author = seasoned(member_factory(verified=True, email="hidden.one@example.org"))
    author.profile.pseudonym = "hiddenheron"
    author.profile.save()
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    topic = make_topic(author, identity_mode="anonymous", body="Anonymous words")
    make_post(author, topic=topic, identity_mode="anonymous", body="More")
    for viewer in (moderator, member_factory(verified=True), author):
        client = client_for(viewer)
        posts = client.get(f"/api/v1/forums/topics/{topic.pk}/posts").json()
        topics = client.get(f"/api/v1/forums/communities/{topic.community.slug}/topics").json()
        text = json.dumps([posts, topics])
        for trace in ("hiddenheron", "hidden.one@example.org", str(author.public_id), f'"author_id": {author.pk}'):
            assert trace not in text
        assert all(post["author"] == "Verified clinician" and post["anonymous"] for post in posts)
        assert all("author_id" not in post for post in posts)
        assert topics[0]["started_by"] == "Verified clinician"
        assert [post["mine"] for post in posts] == ([True, True] if viewer == author else [False, False])


def test_it_creates_topics_and_replies_and_reactions(member_factory, client_for):
    member = seasoned(member_factory(verified=True))
    community = make_community()
    client = client_for(member)
    created = client.post(f"/api/v1/forums/communities/{community.slug}/topics",
                          {"title": "Boundaries", "body": "**Hard** week <script>x</script>", "content_note": "grief"},
                          content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert "<strong>Hard</strong>" in body["html"] and "<script>" not in body["html"]
    reply = client.post(f"/api/v1/forums/topics/{body['topic_id']}/posts", {"body": "Me too", "reply_to": body["id"]},
                        content_type="application/json")
    assert reply.status_code == 201 and reply.json()["number"] == 2
    reacted = client.post(f"/api/v1/forums/posts/{body['id']}/reactions", {"kind": "me_too"}, content_type="application/json")
    assert reacted.json()["reactions"]["me_too"] == 1 and reacted.json()["my_reactions"] == ["me_too"]
    assert Reaction.objects.count() == 1
    bad = client.post(f"/api/v1/forums/posts/{body['id']}/reactions", {"kind": "like"}, content_type="application/json")
    assert bad.status_code == 422
    bad_note = client.post(f"/api/v1/forums/topics/{body['topic_id']}/posts", {"body": "x", "content_note": "nope"},
                           content_type="application/json")
    assert bad_note.status_code == 422


def test_it_hides_invitation_communities_from_outsiders(member_factory, client_for):
    outsider = member_factory(verified=True)
    private = make_community(audience=Audience.INVITATION)
    client = client_for(outsider)
    assert private.slug not in json.dumps(client.get("/api/v1/forums/communities").json())
    assert client.get(f"/api/v1/forums/communities/{private.slug}/topics").status_code == 404


def test_it_enforces_the_posting_api_grid() -> None:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.api.tests.test_api_grid import _call, _caller

    members: dict[str, Any] = {}
    failures = []
    for operation in OPERATIONS:
        for how in (SESSION, TOKEN):
            owner = make_member(verified=True) if operation.make_path else None
            for state, expected in operation.expect[how].items():
                client, headers = _caller(state, how, members)
                status = _call(client, operation, operation.make_path(owner) if operation.make_path else {}, headers)
                if status != expected:
                    failures.append(f"{operation.key} as {state} ({how}): expected {expected}, got {status}")
            if owner is not None and operation.make_path is not None:
                client = sign_in(Client(), owner) if how == SESSION else Client()
                headers = {} if how == SESSION else _bearer(owner)
                status = _call(client, operation, operation.make_path(owner), headers)
                if status != operation.owner_status:
                    failures.append(f"{operation.key} as owner ({how}): expected {operation.owner_status}, got {status}")
    assert UNKNOWN_TOKEN
    assert not failures, "\n".join(failures)
