"""factory-boy factories for members in every role and state the permission grid walks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from peerhaven.accounts.models import (
    Profile,
    Role,
    RoleGrant,
    TermsAcceptance,
    TermsVersion,
    User,
    VerificationStatus,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_profile(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        obj.save()
        Profile.objects.get_or_create(user=obj, defaults={"pseudonym": f"peer{obj.pk}", "display_name": f"Member {obj.pk}"})
        EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


def add_totp(user: User) -> Authenticator:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, generate_totp_secret()).instance


def add_passkey_record(user: User) -> Authenticator:
    """A stored WebAuthn authenticator row (the browser tests exercise the real ceremony)."""
    return Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "test key", "credential": {}})


def accept_current_terms(user: User) -> None:
    for version in TermsVersion.objects.all():
        TermsAcceptance.objects.get_or_create(user=user, terms_version=version)


def make_member(
    *, mfa: bool = True, verified: bool = False, expired: bool = False, suspended: bool = False,
    roles: tuple[str, ...] = (), **kwargs: Any,
) -> User:
    user = UserFactory(**kwargs)
    if mfa:
        add_totp(user)
    if verified or expired:
        user.verification_status = VerificationStatus.VERIFIED
        user.verified_until = timezone.localdate() + dt.timedelta(days=365 if not expired else -1)
        if expired:
            user.verification_status = VerificationStatus.EXPIRED
    if suspended:
        user.suspended_at = timezone.now()
    user.save()
    for role in roles:
        RoleGrant.objects.get_or_create(user=user, role=role)
    accept_current_terms(user)
    return user


STATES: dict[str, dict[str, Any]] = {
    "registered_no_mfa": {"mfa": False},
    "registered": {},
    "verified": {"verified": True},
    "licence_expired": {"expired": True},
    "suspended": {"verified": True, "suspended": True},
    "supporter": {"verified": True, "roles": (Role.SUPPORTER,)},
    "facilitator": {"verified": True, "roles": (Role.FACILITATOR,)},
    "moderator": {"verified": True, "roles": (Role.MODERATOR,)},
    "verifier": {"verified": True, "roles": (Role.VERIFIER,)},
    "staff": {"verified": True, "roles": (Role.STAFF,)},
}
