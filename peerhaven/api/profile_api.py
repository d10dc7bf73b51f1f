"""/api/v1/me: the calling member's own profile, read and changed through the accounts
services, under the same rules as the profile page."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from peerhaven.accounts.models import (
    PROFILE_VISIBILITY_DEFAULTS,
    IdentityMode,
    Profession,
    Profile,
    Visibility,
)
from peerhaven.accounts.selectors import profile_for
from peerhaven.accounts.services import profile_update
from peerhaven.api.auth import api_member, request_token, require_scope
from peerhaven.api.models import TokenScope
from peerhaven.api.selectors import pseudonym_taken
from peerhaven.core.middleware import SESSION_TZ

router = Router(tags=["profile"])

_TIME_ZONES = frozenset(zoneinfo.available_timezones())
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _printable(value: str) -> str:
    """Refuse NUL, other control characters and lone surrogates: databases reject some of
    them outright, and none belongs in a profile."""
    for char in value:
        if char in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError(_("Remove the control characters from this text."))
    return value


def _country(value: str) -> str:
    value = value.upper()
    if value and (len(value) != 2 or not value.isascii() or not value.isalpha()):
        raise ValueError(_("Use a two-letter country code, for example GB."))
    return value


def _profession(value: str) -> str:
    if value and value not in Profession.values:
        raise ValueError(_("Choose one of the listed professions, or leave it empty."))
    return value


def _time_zone(value: str) -> str:
    if value not in _TIME_ZONES:
        raise ValueError(_("Choose a time zone from the IANA list, for example Europe/London."))
    return value


DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), AfterValidator(_printable)]
Pseudonym = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_printable)]
Pronouns = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_printable)]
Region = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), AfterValidator(_printable)]
Employer = Annotated[str, StringConstraints(strip_whitespace=True, max_length=160), AfterValidator(_printable)]
Bio = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), AfterValidator(_printable)]
Country = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_country)]
# One string with a listed value or "" (not a union, whose errors would name each branch).
ProfessionChoice = Annotated[
    str,
    AfterValidator(_profession),
    WithJsonSchema({"type": "string", "enum": ["", *Profession.values]}),
]
TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_time_zone)]
ListItem = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), AfterValidator(_printable)
]
ShortList = Annotated[list[ListItem], Field(max_length=20)]


class VisibilityOut(Schema):
    """Who can see each profile field."""

    display_name: Visibility
    pronouns: Visibility
    profession: Visibility
    specialties: Visibility
    modalities: Visibility
    languages: Visibility
    country: Visibility
    region: Visibility
    time_zone: Visibility
    bio: Visibility


class VisibilityIn(Schema):
    """Only the fields sent change; the others keep their current visibility."""

    model_config = ConfigDict(extra="forbid")

    display_name: Visibility | None = None
    pronouns: Visibility | None = None
    profession: Visibility | None = None
    specialties: Visibility | None = None
    modalities: Visibility | None = None
    languages: Visibility | None = None
    country: Visibility | None = None
    region: Visibility | None = None
    time_zone: Visibility | None = None
    bio: Visibility | None = None


class ProfileOut(Schema):
    public_name: str
    display_name: str
    pseudonym: str
    default_identity: IdentityMode
    pronouns: str
    profession: ProfessionChoice
    specialties: list[str]
    modalities: list[str]
    languages: list[str]
    country: str
    region: str
    time_zone: str
    employer: str = Field(description="Private: only used to keep colleagues out of matching.")
    bio: str
    visibility: VisibilityOut
    updated_at: dt.datetime

    @staticmethod
    def of(profile: Profile) -> ProfileOut:
        return ProfileOut(
            public_name=profile.public_name,
            display_name=profile.display_name,
            pseudonym=profile.pseudonym,
            default_identity=IdentityMode(profile.default_identity),
            pronouns=profile.pronouns,
            profession=profile.profession,
            specialties=list(profile.specialties),
            modalities=list(profile.modalities),
            languages=list(profile.languages),
            country=profile.country,
            region=profile.region,
            time_zone=profile.time_zone,
            employer=profile.employer,
            bio=profile.bio,
            visibility=VisibilityOut(
                **{field: Visibility(profile.visibility_of(field)) for field in PROFILE_VISIBILITY_DEFAULTS}
            ),
            updated_at=profile.updated_at,
        )


class ProfileUpdateIn(Schema):
    """Send only the fields to change. An empty string clears a text field."""

    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName = ""
    pseudonym: Pseudonym = ""
    default_identity: IdentityMode = IdentityMode.PSEUDONYM
    pronouns: Pronouns = ""
    profession: ProfessionChoice = ""
    specialties: ShortList = Field(default_factory=list)
    modalities: ShortList = Field(default_factory=list)
    languages: ShortList = Field(default_factory=list)
    country: Country = Field("", description="Two-letter country code, for example GB.")
    region: Region = ""
    time_zone: TimeZone = Field("UTC", description="An IANA time zone, for example Europe/London.")
    employer: Employer = ""
    bio: Bio = ""
    visibility: VisibilityIn | None = None


@router.get("/me", response={200: ProfileOut}, summary="Read my profile", operation_id="profile_read")
def profile_read(request: HttpRequest) -> ProfileOut:
    require_scope(request, TokenScope.PROFILE_READ)
    return ProfileOut.of(profile_for(api_member(request)))


@router.patch("/me", response={200: ProfileOut}, summary="Change my profile", operation_id="profile_update")
def profile_change(request: HttpRequest, payload: ProfileUpdateIn) -> ProfileOut:
    require_scope(request, TokenScope.PROFILE_WRITE)
    member = api_member(request)
    profile = profile_for(member)
    changes = payload.model_dump(exclude_unset=True)
    changes = {field: value for field, value in changes.items() if field != "visibility"}
    if payload.visibility is not None:
        chosen = payload.visibility.model_dump(exclude_none=True)
        changes["visibility"] = {
            **{field: profile.visibility_of(field) for field in PROFILE_VISIBILITY_DEFAULTS},
            **{field: str(value) for field, value in chosen.items()},
        }
    pseudonym = changes.get("pseudonym")
    if pseudonym and pseudonym_taken(pseudonym, exclude_user=member):
        raise ValidationError({"pseudonym": _("That pseudonym is taken. Please choose another.")})
    if not changes:
        return ProfileOut.of(profile)
    profile = profile_update(actor=member, request=request, **changes)
    if request_token(request) is not None:
        # profile_update keeps a new time zone in the session for the site; a token call has
        # no session of its own, and leaving the key would open one (a cookie and a row).
        request.session.pop(SESSION_TZ, None)
    return ProfileOut.of(profile)
