"""/api/v1 for matching: supporter search, suggestions, and the member's own exclusion lists
(declared relationships, never-match). A thin edge over the same selectors, policies and
services as the pages; tokens need support:read or support:write.

Excluded pairs are simply absent from every answer; nothing says why. Adding an entry answers
the same whether or not the named person is a member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from peerhaven.accounts.models import User
from peerhaven.api.schemas import ErrorOut
from peerhaven.core.policies import is_active_member
from peerhaven.support.models import Specialty, SupporterProfile
from peerhaven.support.policies.matching import can_find_support
from peerhaven.support.selectors.matching import (
    PER_PAGE,
    SearchFilters,
    language_name,
    my_declared_relationships,
    my_never_match,
    suggestions_for,
    supporters_search,
)
from peerhaven.support.services.matching import (
    never_match_add,
    never_match_remove,
    relationship_declare,
    relationship_remove,
)

router = Router(tags=["support"])


class SupporterCardOut(Schema):
    id: int
    name: str
    approach: str
    languages: list[str]
    language_names: list[str]
    specialties: list[str]
    jurisdictions: list[str]
    session_lengths: list[int]
    time_zone: str
    first_open_slot: dt.datetime | None


class SupporterSearchOut(Schema):
    items: list[SupporterCardOut]
    page: int
    per_page: int
    total: int
    has_next: bool


class SuggestionOut(SupporterCardOut):
    labels: list[str]


class SearchQuery(Schema):
    language: str = ""
    specialty: str = ""
    jurisdiction: str = ""
    session_length: int | None = None
    available_soon: bool = False
    page: int = 1


class RelationshipIn(Schema):
    label: str
    kind: str


class RelationshipOut(Schema):
    id: int
    label: str
    kind: str
    created_at: dt.datetime


class NeverMatchIn(Schema):
    label: str


class NeverMatchOut(Schema):
    id: int
    label: str
    created_at: dt.datetime


class ExclusionsOut(Schema):
    relationships: list[RelationshipOut]
    never_match: list[NeverMatchOut]


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
    if not can_find_support(candidate):
        raise HttpError(403, _("Peer support sessions are for verified members."))
    return candidate


def _card(supporter: SupporterProfile, first: dt.datetime | None) -> dict[str, Any]:
    return {
        "id": supporter.pk, "name": supporter.user.public_name, "approach": supporter.approach,
        "languages": list(supporter.languages), "language_names": [language_name(code) for code in supporter.languages],
        "specialties": list(supporter.specialties), "jurisdictions": list(supporter.jurisdictions),
        "session_lengths": list(supporter.session_lengths), "time_zone": supporter.time_zone, "first_open_slot": first,
    }


@router.get("/support/supporters", response={200: SupporterSearchOut, 400: ErrorOut}, summary="Search supporters")
def supporters_search_api(request: HttpRequest, filters: Query[SearchQuery]) -> dict[str, Any]:
    member = _verified_member(request)
    if filters.specialty and filters.specialty not in Specialty.values:
        raise HttpError(400, _("Choose a topic from the list."))
    if filters.page < 1 or filters.page > 10_000:
        raise HttpError(400, _("Choose a page from 1."))
    page = supporters_search(member, SearchFilters(
        language=filters.language[:20], specialty=filters.specialty, jurisdiction=filters.jurisdiction[:20],
        session_length=filters.session_length, available_soon=filters.available_soon,
    ), page=filters.page)
    return {
        "items": [_card(supporter, page.first_slots.get(supporter.pk)) for supporter in page.supporters],
        "page": page.number, "per_page": PER_PAGE, "total": page.total, "has_next": page.has_next,
    }


@router.get("/support/suggestions", response=list[SuggestionOut], summary="Supporters suggested for you")
def suggestions_api(request: HttpRequest) -> list[dict[str, Any]]:
    member = _verified_member(request)
    return [
        {**_card(item.supporter, item.first_slot), "labels": item.labels}
        for item in suggestions_for(member)
    ]


def _exclusions(member: User) -> dict[str, Any]:
    return {
        "relationships": [
            {"id": entry.pk, "label": entry.label, "kind": entry.kind, "created_at": entry.created_at}
            for entry in my_declared_relationships(member)
        ],
        "never_match": [
            {"id": entry.pk, "label": entry.label, "created_at": entry.created_at} for entry in my_never_match(member)
        ],
    }


@router.get("/support/exclusions", response=ExclusionsOut, summary="My declared relationships and never-match list")
def exclusions_api(request: HttpRequest) -> dict[str, Any]:
    return _exclusions(_verified_member(request))


@router.post("/support/exclusions/relationships", response={201: RelationshipOut}, summary="Declare a relationship")
def relationship_add_api(request: HttpRequest, payload: RelationshipIn) -> Status:
    member = _verified_member(request)
    try:
        entry = relationship_declare(actor=member, label=payload.label, kind=payload.kind, request=request)
    except ValidationError as error:
        raise HttpError(400, error.messages[0]) from error
    return Status(201, {"id": entry.pk, "label": entry.label, "kind": entry.kind, "created_at": entry.created_at})


@router.delete("/support/exclusions/relationships/{entry_id}", response={204: None}, summary="Remove a declared relationship")
def relationship_remove_api(request: HttpRequest, entry_id: int) -> Status:
    if not relationship_remove(actor=_verified_member(request), pk=entry_id, request=request):
        raise HttpError(404, _("Not found."))
    return Status(204, None)


@router.post("/support/exclusions/never", response={201: NeverMatchOut}, summary="Add someone to my never-match list")
def never_match_add_api(request: HttpRequest, payload: NeverMatchIn) -> Status:
    member = _verified_member(request)
    try:
        entry = never_match_add(actor=member, label=payload.label, request=request)
    except ValidationError as error:
        raise HttpError(400, error.messages[0]) from error
    return Status(201, {"id": entry.pk, "label": entry.label, "created_at": entry.created_at})


@router.delete("/support/exclusions/never/{entry_id}", response={204: None}, summary="Remove someone from my never-match list")
def never_match_remove_api(request: HttpRequest, entry_id: int) -> Status:
    if not never_match_remove(actor=_verified_member(request), pk=entry_id, request=request):
        raise HttpError(404, _("Not found."))
    return Status(204, None)

