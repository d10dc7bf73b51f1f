"""/api/v1 for flags, the moderation queue, search, digests and the resource library: a thin edge
over the same policies, selectors and services as the pages. Tokens need forums:read /
forums:write.

No schema here carries an author id: a post's author is its label ("Verified clinician" for an
anonymous post), and the queue shows moderators nothing more than the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from peerhaven.accounts.models import User
from peerhaven.api.schemas import ErrorOut
from peerhaven.core.policies import is_active_member, is_verified
from peerhaven.forums.models.moderation import DigestFrequency, ResourceTag
from peerhaven.forums.policies.moderation import can_moderate_forums, moderated_post_get_for_user
from peerhaven.forums.policies.posting import post_author_label, post_get_for_user
from peerhaven.forums.search.engine import SearchFilters, search_posts
from peerhaven.forums.selectors.moderation import forum_queue, library
from peerhaven.forums.services.moderation import digest_preference_set, post_hide, post_restore
from peerhaven.safety.models import ReportReason
from peerhaven.safety.registry import REPORTABLE
from peerhaven.safety.services import report_content_create

router = Router(tags=["forums"])


def _member(request: HttpRequest) -> User:
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
        raise HttpError(403, _("The communities are for verified members."))
    return candidate


def _moderator(request: HttpRequest) -> User:
    member = _member(request)
    if not can_moderate_forums(member):
        # As on the site: moderation tools are not advertised.
        raise HttpError(404, _("Not found."))
    return member


# --- search ------------------------------------------------------------------------------------
class SearchQuery(Schema):
    q: str = Field(max_length=200)
    community: int | None = None
    author: str = Field(default="", max_length=40, description="A pseudonym. Anonymous posts never match.")
    since: dt.date | None = None
    until: dt.date | None = None
    order: Literal["newest", "relevance"] = "newest"
    page: int = Field(default=1, ge=1, le=25)


class SearchHitOut(Schema):
    post_id: int
    topic_id: int
    topic_title: str
    community: str
    number: int
    author: str = Field(description="The label shown on the post; never an id.")
    created_at: dt.datetime
    snippet_html: str = Field(description="Escaped text; matches wrapped in <mark>.")


class SearchOut(Schema):
    hits: list[SearchHitOut]
    has_next: bool


@router.get("/forums/search", response=SearchOut, summary="Search the posts you may read")
def search_api(request: HttpRequest, filters: Query[SearchQuery]) -> dict[str, Any]:
    member = _member(request)
    if filters.since and filters.until and filters.since > filters.until:
        # Answered like any invalid field (422 with the field's message), as documented.
        raise NinjaValidationError([
            {"loc": ("query", "until"), "msg": _("The start date is after the end date."), "type": "value_error"}
        ])
    results = search_posts(member, SearchFilters(
        query=filters.q, community_id=filters.community, author=filters.author, since=filters.since,
        until=filters.until, order=filters.order, page=filters.page,
    ))
    return {
        "hits": [
            {"post_id": hit.post_id, "topic_id": hit.topic_id, "topic_title": hit.topic_title,
             "community": hit.community_name, "number": hit.number, "author": hit.author_label,
             "created_at": hit.created_at, "snippet_html": str(hit.snippet)}
            for hit in results.hits
        ],
        "has_next": results.has_next,
    }


# --- flags and the queue -------------------------------------------------------------------------
class FlagIn(Schema):
    reason: Literal["harassment", "client_information", "self_harm", "spam", "other"]
    details: str = Field(default="", max_length=2000)


class FlagOut(Schema):
    post_id: int
    flagged: bool


@router.post("/forums/posts/{post_id}/flag", response=FlagOut, summary="Report a post to the moderators")
def flag_api(request: HttpRequest, post_id: int, body: FlagIn) -> dict[str, Any]:
    member = _member(request)
    post = post_get_for_user(member, post_id)
    reportable = REPORTABLE["forums.post"]
    if post.author_id == member.pk:
        raise HttpError(400, _("You cannot report your own content."))
    try:
        report_content_create(actor=member, reportable=reportable, target=post, reason=ReportReason(body.reason),
                              details=body.details, request=request)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    return {"post_id": post.pk, "flagged": True}


class QueueItemOut(Schema):
    post_id: int
    topic_id: int
    topic_title: str
    community: str
    author: str
    hidden: bool
    report_count: int
    reasons: list[str]
    first_reported_at: dt.datetime


@router.get("/forums/moderation/queue", response={200: list[QueueItemOut], 404: ErrorOut}, summary="Reported posts (moderators)")
def queue_api(request: HttpRequest) -> list[dict[str, Any]]:
    _moderator(request)
    return [
        {"post_id": item.post.pk, "topic_id": item.post.topic_id, "topic_title": item.post.topic.title,
         "community": item.post.topic.community.name, "author": post_author_label(item.post),
         "hidden": item.post.hidden_at is not None, "report_count": item.report_count, "reasons": item.reasons,
         "first_reported_at": item.first_reported_at}
        for item in forum_queue()
    ]


class ModeratedOut(Schema):
    post_id: int
    hidden: bool


@router.post("/forums/moderation/posts/{post_id}/hide", response=ModeratedOut, summary="Hide a post (moderators)")
def hide_api(request: HttpRequest, post_id: int) -> dict[str, Any]:
    moderator = _moderator(request)
    post = post_hide(actor=moderator, post=moderated_post_get_for_user(moderator, post_id), request=request)
    return {"post_id": post.pk, "hidden": post.hidden_at is not None}


@router.post("/forums/moderation/posts/{post_id}/restore", response=ModeratedOut, summary="Show a hidden post again (moderators)")
def restore_api(request: HttpRequest, post_id: int) -> dict[str, Any]:
    moderator = _moderator(request)
    post = post_restore(actor=moderator, post=moderated_post_get_for_user(moderator, post_id), request=request)
    return {"post_id": post.pk, "hidden": post.hidden_at is not None}


# --- digests and the library ----------------------------------------------------------------------
class DigestIn(Schema):
    frequency: Literal["off", "daily", "weekly"]


class DigestOut(Schema):
    frequency: str


@router.get("/forums/digest", response=DigestOut, summary="Your community digest choice")
def digest_get_api(request: HttpRequest) -> dict[str, Any]:
    member = _member(request)
    preference = getattr(member, "forum_digest", None)
    return {"frequency": preference.frequency if preference is not None else DigestFrequency.OFF}


@router.put("/forums/digest", response=DigestOut, summary="Choose a daily, weekly or no digest")
def digest_put_api(request: HttpRequest, body: DigestIn) -> dict[str, Any]:
    member = _member(request)
    preference = digest_preference_set(actor=member, frequency=body.frequency, request=request)
    return {"frequency": preference.frequency}


class ResourceOut(Schema):
    id: int
    title: str
    kind: str
    url: str
    summary: str
    tags: list[str]
    topic_id: int | None
    published_at: dt.datetime | None


class LibraryQuery(Schema):
    q: str = Field(default="", max_length=100)
    tag: Literal[tuple(ResourceTag.values)] | Literal[""] = ""  # type: ignore[valid-type]


@router.get("/forums/library", response=list[ResourceOut], summary="The resource library")
def library_api(request: HttpRequest, filters: Query[LibraryQuery]) -> list[dict[str, Any]]:
    _member(request)
    return [
        {"id": resource.pk, "title": resource.title, "kind": resource.kind, "url": resource.url,
         "summary": resource.summary, "tags": resource.tag_codes, "topic_id": resource.topic_id,
         "published_at": resource.published_at}
        for resource in library(query=filters.q, tag=filters.tag)[:100]
    ]
