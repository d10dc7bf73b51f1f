"""Permission-grid expectations: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library."""

from __future__ import annotations

from typing import Any

from peerhaven.core.tests.grid_rules import ANON, REDIRECT, STATES, Route, member, role, verified
from peerhaven.forums.tests.grid_posting import make_post, make_topic


def _post(owner: Any) -> dict[str, Any]:
    return {"pk": make_post(owner).pk}


def _anonymous_post(owner: Any) -> dict[str, Any]:
    return {"pk": make_post(owner, identity_mode="anonymous").pk}


def _topic(owner: Any) -> dict[str, Any]:
    return {"pk": make_topic(owner).pk}


def _relayed_post(owner: Any) -> dict[str, Any]:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.forums.services.moderation import relay_send_to_author

    post = make_post(owner, identity_mode="anonymous")
    relay_send_to_author(actor=make_member(verified=True, roles=("moderator",)), post=post, body="Are you safe?")
    return {"pk": post.pk}


def _watched_word(owner: Any) -> dict[str, Any]:
    from peerhaven.forums.models.moderation import WatchedWord

    word = WatchedWord.objects.create(word=f"grid{WatchedWord.objects.count()}", normalised=f"grid{WatchedWord.objects.count()}",
                                      action="queue")
    return {"pk": word.pk}


def _reveal_request(owner: Any) -> dict[str, Any]:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.forums.services.moderation import reveal_request_create

    post = make_post(owner, identity_mode="anonymous")
    asker = make_member(verified=True, roles=("staff",))
    reveal = reveal_request_create(actor=asker, post=post, reason="Imminent risk described in the post, grid test.")
    return {"pk": reveal.pk}


def _resource(owner: Any, *, status: str = "published", document: bool = False) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from peerhaven.core.crypto import encrypt_bytes
    from peerhaven.forums.models.moderation import Resource, ResourceTagging

    resource = Resource.objects.create(title="Grounding after hard sessions", kind="document" if document else "writeup",
                                       summary="Five minutes of breathing.", status=status, suggested_by=owner)
    if document:
        resource.document_path = default_storage.save("forum-resources/grid.bin", ContentFile(encrypt_bytes(b"%PDF-1.4 grid")))
        resource.document_type = "application/pdf"
        resource.save(update_fields=["document_path", "document_type"])
    ResourceTagging.objects.create(resource=resource, tag="self_care")
    return {"pk": resource.pk}


def _suggestion(owner: Any) -> dict[str, Any]:
    return _resource(owner, status="suggested")


def _document(owner: Any) -> dict[str, Any]:
    return _resource(owner, document=True)


# The author's side of the relay: only the author of the anonymous post; the rest get a 404.
_AUTHOR_ONLY = {**dict.fromkeys(STATES, 404), ANON: REDIRECT, "registered_no_mfa": REDIRECT, "suspended": REDIRECT}

ROUTES = [
    Route("forums:search", verified(200)),
    Route("forums:mod_queue", role("moderator")),
    Route("forums:mod_post", role("moderator"), make_kwargs=_post, owner_status=404),
    Route("forums:mod_topic", role("moderator", status=302), make_kwargs=_topic, owner_status=404, method="post",
          data={"action": "lock"}),
    Route("forums:mod_suspend", role("staff"), make_kwargs=_post, owner_status=404),
    Route("forums:watched_words", role("staff")),
    Route("forums:watched_word_delete", role("staff", status=302), make_kwargs=_watched_word, owner_status=404, method="post"),
    Route("forums:relay_moderator", role("moderator"), make_kwargs=_anonymous_post, owner_status=404),
    Route("forums:reveal_request", role("staff"), make_kwargs=_anonymous_post, owner_status=404),
    Route("forums:reveal_list", role("staff")),
    Route("forums:reveal_decide", role("staff", status=302), make_kwargs=_reveal_request, owner_status=404, method="post",
          data={"decision": "decline"}),
    # Only the staff member who asked, after approval: everyone the grid walks is someone else.
    Route("forums:reveal_show", role("staff", status=404), make_kwargs=_reveal_request, owner_status=404),
    Route("forums:forum_settings", role("staff")),
    Route("forums:relay_author", _AUTHOR_ONLY, make_kwargs=_relayed_post, owner_status=200),
    Route("forums:moderation_notices", member(200)),
    Route("forums:digest_preferences", verified(200)),
    Route("forums:library", verified(200)),
    Route("forums:resource_suggest", verified(200)),
    Route("forums:resource_review", role("moderator")),
    Route("forums:resource", verified(200), make_kwargs=_resource, owner_status=200),
    Route("forums:resource_document", verified(200), make_kwargs=_document, owner_status=200),
    Route("forums:resource_decide", role("moderator", status=302), make_kwargs=_suggestion, owner_status=404, method="post",
          data={"decision": "decline"}),
]
