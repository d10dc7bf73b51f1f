"""accounts' part of the privacy registry (peerhaven.core.privacy): the member's identity,
profile, roles, terms acceptances, e-mail addresses, second factors and their own security log."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from peerhaven.accounts.models import (
    PROFILE_VISIBILITY_DEFAULTS,
    Profile,
    RoleGrant,
    TermsAcceptance,
    User,
)
from peerhaven.core.models import AuditEntry

SECTION = "accounts"


def export_member(user: User) -> dict[str, Any]:
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "email": user.email,
            "public_id": str(user.public_id),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "verification_status": user.verification_status,
            "verified_until": user.verified_until,
            "suspended_at": user.suspended_at,
        },
        "profile": _profile_data(profile) if profile is not None else None,
        # granted_by is left out: it names another member.
        "roles": [
            {"role": grant.role, "granted_at": grant.granted_at}
            for grant in RoleGrant.objects.filter(user=user).order_by("granted_at", "id")
        ],
        "terms_acceptances": [
            {"version": acceptance.terms_version.version, "accepted_at": acceptance.accepted_at}
            for acceptance in TermsAcceptance.objects.filter(user=user)
            .select_related("terms_version").order_by("accepted_at", "id")
        ],
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # Types and dates only: an authenticator's data holds TOTP seeds, recovery-code seeds
        # and WebAuthn credentials, which must never leave the server.
        "second_factors": [
            {"type": authenticator.type, "created_at": authenticator.created_at, "last_used_at": authenticator.last_used_at}
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at", "id")
        ],
        # The member's own actions only, without targets or data: a moderator's or verifier's
        # entries point at other members.
        "security_log": [
            {"action": entry["action"], "at": entry["at"], "ip_address": entry["ip_address"]}
            for entry in AuditEntry.objects.filter(actor_id=user.pk)
            .order_by("at", "id").values("action", "at", "ip_address")
        ],
    }


def _profile_data(profile: Profile) -> dict[str, Any]:
    return {
        "display_name": profile.display_name,
        "pseudonym": profile.pseudonym,
        "default_identity": profile.default_identity,
        "pronouns": profile.pronouns,
        "profession": profile.profession,
        "specialties": profile.specialties,
        "modalities": profile.modalities,
        "languages": profile.languages,
        "country": profile.country,
        "region": profile.region,
        "time_zone": profile.time_zone,
        "employer": profile.employer,  # decrypted by the field
        "bio": profile.bio,
        "visibility": {field: profile.visibility_of(field) for field in PROFILE_VISIBILITY_DEFAULTS},
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


def erase_member(user: User, *, keep_posts_as_former_member: bool) -> None:
    """Deletes what accounts holds besides the user row itself (account_erase deletes that).

    Deleted explicitly rather than left to CASCADE so that nothing personal survives when the
    row has to be kept as an anonymised tombstone. Sign-in lock-out records are keyed by the
    e-mail address, not by a foreign key, so they are removed here too.
    """
    Profile.objects.filter(user=user).delete()
    RoleGrant.objects.filter(user=user).delete()
    TermsAcceptance.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
