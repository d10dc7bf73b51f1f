"""Test data for the moderation concern's tests: communities, topics and posts made through the
posting services (so triggers, hooks and audit rows are the real ones)."""

from __future__ import annotations

import itertools
from typing import Any

from peerhaven.forums.models.posting import Audience, Community, Post, PostIdentity, Topic

_counter = itertools.count(1)


def community(*, name: str = "", audience: str = Audience.VERIFIED, audience_role: str = "") -> Community:
    from peerhaven.forums.services.posting import community_create

    n = next(_counter)
    return community_create(actor=None, slug=f"mod-community-{n}", name=name or f"Community {n}",
                            audience=audience, audience_role=audience_role)


def topic(author: Any, where: Community, *, title: str = "A topic", body: str = "Opening words",
          identity_mode: str = PostIdentity.PSEUDONYM) -> Topic:
    from peerhaven.forums.services.posting import topic_create

    return topic_create(actor=author, community=where, title=title, body=body, identity_mode=identity_mode)


def reply(author: Any, where: Topic, body: str, *, identity_mode: str = PostIdentity.PSEUDONYM) -> Post:
    from peerhaven.forums.services.posting import post_create

    return post_create(actor=author, topic=where, body=body, identity_mode=identity_mode)


def first_post(where: Topic) -> Post:
    return Post.objects.get(topic=where, number=1)
