"""Permission-grid expectations: communities, topics, posts, reactions, follows, bookmarks, drafts,
identity modes. Also the small builders the posting tests (and the partner's) share."""

from __future__ import annotations

import itertools
from typing import Any

from peerhaven.core.tests.grid_rules import REDIRECT, Route, verified

_slugs = itertools.count(1)


def make_community(**fields: Any) -> Any:
    from peerhaven.forums.models.posting import Community

    number = next(_slugs)
    fields.setdefault("slug", f"circle-{number}")
    fields.setdefault("name", f"Circle {number}")
    fields.setdefault("description", "A place to talk.")
    community = Community(**fields)
    community.full_clean()
    community.save()
    return community


def seasoned(member: Any) -> Any:
    """Past the new members' posting limit (joined a month ago), so builders can post freely."""
    import datetime as dt

    from django.utils import timezone

    if member.date_joined > timezone.now() - dt.timedelta(days=8):
        member.date_joined = timezone.now() - dt.timedelta(days=30)
        type(member).objects.filter(pk=member.pk).update(date_joined=member.date_joined)
    return member


def make_topic(author: Any, *, community: Any = None, title: str = "Holding hard days", body: str = "Opening post.",
               identity_mode: str = "pseudonym", content_note: str = "") -> Any:
    from peerhaven.forums.services.posting import topic_create

    return topic_create(actor=seasoned(author), community=community or make_community(), title=title, body=body,
                        identity_mode=identity_mode, content_note=content_note)


def make_post(author: Any, *, topic: Any = None, body: str = "A reply.", identity_mode: str = "pseudonym",
              content_note: str = "") -> Any:
    from peerhaven.forums.services.posting import post_create

    return post_create(actor=seasoned(author), topic=topic or make_topic(author), body=body, identity_mode=identity_mode,
                       content_note=content_note)


def _community(owner: Any) -> dict[str, Any]:
    return {"slug": make_community().slug}


def _topic(owner: Any) -> dict[str, Any]:
    return {"pk": make_topic(owner).pk}


def _post(owner: Any) -> dict[str, Any]:
    return {"pk": make_topic(owner).posts.get().pk}


def _edited_post(owner: Any) -> dict[str, Any]:
    from peerhaven.forums.services.posting import post_edit

    post = make_topic(owner).posts.get()
    post_edit(actor=owner, post=post, body="Edited text.")
    return {"pk": post.pk}


def _draft(owner: Any) -> dict[str, Any]:
    from peerhaven.forums.services.posting import draft_save

    draft = draft_save(actor=owner, community=make_community(), topic=None, title="Draft", body="Half a thought")
    assert draft is not None
    return {"pk": draft.pk}


def _image(owner: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from peerhaven.forums.models.posting import ForumImage

    image = ForumImage(uploader=owner, community=make_community(), content_type="image/png", size=3)
    image.storage_path = default_storage.save(f"forum-images/{image.key}.png", ContentFile(b"png"))
    image.save()
    return {"key": image.key}


# Verified members (and every role, all verified) read and write; registered and expired
# members get the kind "verification needed" page; outsiders of an object would get 404 (covered
# by the posting tests: invitation-only and role communities).
_OWNER_ONLY = {**verified(404), "registered": 403, "licence_expired": 403}
_MODERATOR_TOO = {**_OWNER_ONLY, "moderator": 200}

ROUTES: list[Route] = [
    Route("forums:communities", verified()),
    Route("forums:community", verified(), make_kwargs=_community),
    Route("forums:community_follow", verified(REDIRECT), make_kwargs=_community, owner_status=REDIRECT, method="post",
          data={"follow": "1"}),
    Route("forums:topic_new", verified(), make_kwargs=_community),
    Route("forums:image_upload", verified(), make_kwargs=_community),
    Route("forums:topic", verified(), make_kwargs=_topic, owner_status=200),
    Route("forums:topic_reply", verified(400), make_kwargs=_topic, owner_status=400, method="post",
          data={"body": ""}),
    Route("forums:topic_follow", verified(REDIRECT), make_kwargs=_topic, owner_status=REDIRECT, method="post",
          data={"follow": "1"}),
    Route("forums:post", verified(REDIRECT), make_kwargs=_post, owner_status=REDIRECT),
    Route("forums:post_edit", _MODERATOR_TOO, make_kwargs=_post, owner_status=200),
    Route("forums:post_history", _MODERATOR_TOO, make_kwargs=_edited_post, owner_status=200),
    Route("forums:post_react", verified(REDIRECT), make_kwargs=_post, owner_status=REDIRECT, method="post",
          data={"kind": "support", "on": "1"}),
    Route("forums:post_bookmark", verified(REDIRECT), make_kwargs=_post, owner_status=REDIRECT, method="post",
          data={"on": "1"}),
    Route("forums:bookmarks", verified()),
    Route("forums:drafts", verified()),
    Route("forums:draft_save", verified(404), method="post", data={"draft_community": "nowhere", "body": "x"}),
    Route("forums:draft_delete", _OWNER_ONLY, make_kwargs=_draft, owner_status=REDIRECT, method="post"),
    Route("forums:reading_preferences", verified()),
    Route("forums:image", verified(), make_kwargs=_image, owner_status=200),
]
