"""Reads owned by accounts: terms, profiles, roles."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from peerhaven.accounts.models import Profile, TermsAcceptance, TermsVersion, User


def current_terms() -> TermsVersion | None:
    return TermsVersion.objects.order_by("-published_at", "-id").first()


def terms_pending_for(user: Any) -> TermsVersion | None:
    """The current terms version if this user has not accepted it yet (cached per request)."""
    cached = getattr(user, "_peerhaven_terms_pending", ...)
    if cached is not ...:
        return cached
    latest = current_terms()
    pending = None
    if latest is not None and not TermsAcceptance.objects.filter(user=user, terms_version=latest).exists():
        pending = latest
    user._peerhaven_terms_pending = pending
    return pending


def profile_for(user: User) -> Profile:
    from peerhaven.accounts.services import profile_ensure

    return profile_ensure(user=user)


def members_with_profiles() -> QuerySet[User]:
    return User.objects.select_related("profile").prefetch_related("role_grants")
