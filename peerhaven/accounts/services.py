"""Writes owned by accounts: profiles, terms acceptance, roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from peerhaven.accounts.models import Profile, RoleGrant, TermsAcceptance, TermsVersion, User
from peerhaven.core.audit import audit_log
from peerhaven.core.middleware import SESSION_TZ
from peerhaven.core.policies import forget_cached_roles

PROFILE_EDITABLE_FIELDS = (
    "display_name", "pseudonym", "default_identity", "pronouns", "profession", "specialties",
    "modalities", "languages", "country", "region", "time_zone", "employer", "bio", "visibility",
)


def profile_ensure(*, user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(*, actor: User, request: HttpRequest | None = None, **changes: Any) -> Profile:
    unknown = set(changes) - set(PROFILE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=actor)
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.updated_at = timezone.now()
        profile.full_clean()
        profile.save(update_fields=[*changes.keys(), "updated_at"])
        # Which fields changed is recorded, never their values.
        audit_log("profile.update", actor=actor, target=profile, request=request, fields=sorted(changes))
    if request is not None and "time_zone" in changes:
        request.session[SESSION_TZ] = profile.time_zone
    return profile


def terms_accept(*, actor: User, terms_version: TermsVersion, request: HttpRequest | None = None) -> TermsAcceptance:
    with transaction.atomic():
        acceptance, _created = TermsAcceptance.objects.get_or_create(user=actor, terms_version=terms_version)
        audit_log("terms.accept", actor=actor, target=terms_version, request=request)
    if hasattr(actor, "_peerhaven_terms_pending"):
        del actor._peerhaven_terms_pending
    return acceptance


def role_grant(*, actor: User | None, user: User, role: str, request: HttpRequest | None = None) -> RoleGrant:
    with transaction.atomic():
        grant, _created = RoleGrant.objects.get_or_create(user=user, role=role, defaults={"granted_by": actor})
        audit_log("role.grant", actor=actor, target=user, request=request, role=role)
    forget_cached_roles(user)
    return grant


def role_revoke(*, actor: User | None, user: User, role: str, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        RoleGrant.objects.filter(user=user, role=role).delete()
        audit_log("role.revoke", actor=actor, target=user, request=request, role=role)
    forget_cached_roles(user)
