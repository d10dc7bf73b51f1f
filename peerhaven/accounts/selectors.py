"""Reads owned by accounts: terms, profiles, roles, member cards."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Field, QuerySet
from django.utils.text import capfirst

from peerhaven.accounts.models import (
    PROFILE_VISIBILITY_DEFAULTS,
    Profile,
    TermsAcceptance,
    TermsVersion,
    User,
)

# Where terms_pending_for keeps its answer for the rest of the request (on the user object).
_TERMS_PENDING_CACHE = "_peerhaven_terms_pending"


def terms_newest_first() -> QuerySet[TermsVersion]:
    """Terms versions, the current one first: the one order every reader of "the current terms"
    uses (current_terms, and the member gate's single query in core.policies)."""
    return TermsVersion.objects.order_by("-published_at", "-id")


def current_terms() -> TermsVersion | None:
    return terms_newest_first().first()


def terms_pending_for(user: Any) -> TermsVersion | None:
    """The current terms version if this user has not accepted it yet (cached per request)."""
    cached = getattr(user, _TERMS_PENDING_CACHE, ...)
    if cached is not ...:
        return cached
    latest = current_terms()
    pending = None
    if latest is not None and not TermsAcceptance.objects.filter(user=user, terms_version=latest).exists():
        pending = latest
    setattr(user, _TERMS_PENDING_CACHE, pending)
    return pending


def remember_no_terms_pending(user: Any) -> None:
    """For this request, `user` has nothing to accept (the member gate found out in its query)."""
    setattr(user, _TERMS_PENDING_CACHE, None)


def forget_terms_pending(user: Any) -> None:
    """The next terms_pending_for(user) asks the database again (after an acceptance)."""
    if hasattr(user, _TERMS_PENDING_CACHE):
        delattr(user, _TERMS_PENDING_CACHE)


def profile_for(user: User) -> Profile:
    from peerhaven.accounts.services import profile_ensure

    return profile_ensure(user=user)


def members_with_profiles() -> QuerySet[User]:
    return User.objects.select_related("profile").prefetch_related("role_grants")


def member_by_public_id(public_id: uuid.UUID) -> User | None:
    return User.objects.select_related("profile").filter(public_id=public_id).first()


def terms_acceptances_of(user: User) -> QuerySet[TermsAcceptance]:
    return TermsAcceptance.objects.filter(user=user).select_related("terms_version").order_by("-accepted_at", "-id")


@dataclass(frozen=True)
class ProfileFieldView:
    name: str
    label: str
    value: str


def profile_fields_visible_to(user: Any, profile: Profile) -> list[ProfileFieldView]:
    """The filled-in profile fields of `profile` that `user` may see, in the profile's order.

    The employer is not among them: it has no visibility choice and is never shown on a card.
    """
    from peerhaven.accounts.policies import can_see_profile_field

    shown = []
    for name in PROFILE_VISIBILITY_DEFAULTS:
        if not can_see_profile_field(user, profile, name):
            continue
        raw = getattr(profile, name)
        if name == "profession":
            value = profile.get_profession_display() if raw else ""
        elif isinstance(raw, list):
            value = ", ".join(str(item) for item in raw)
        else:
            value = str(raw or "")
        if value:
            model_field = Profile._meta.get_field(name)
            assert isinstance(model_field, Field)
            label = capfirst(str(model_field.verbose_name))
            shown.append(ProfileFieldView(name=name, label=label, value=value))
    return shown
