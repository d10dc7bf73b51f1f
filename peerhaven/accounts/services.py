"""Writes owned by accounts: profiles, terms acceptance, roles, export and erasure of an account."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import (
    Profile,
    RoleGrant,
    TermsAcceptance,
    TermsVersion,
    User,
    VerificationStatus,
)
from peerhaven.core import privacy
from peerhaven.core.audit import audit_log
from peerhaven.core.middleware import SESSION_LANGUAGE, SESSION_TZ
from peerhaven.core.policies import forget_cached_roles

PROFILE_EDITABLE_FIELDS = (
    "display_name", "pseudonym", "default_identity", "pronouns", "profession", "specialties",
    "modalities", "languages", "country", "region", "time_zone", "employer", "bio", "visibility",
    "language",
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
    if request is not None and "language" in changes:
        request.session[SESSION_LANGUAGE] = profile.language
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


def account_export(*, actor: User, request: HttpRequest | None = None) -> dict[str, Any]:
    """Everything every app holds about `actor`, as one JSON-serialisable archive."""
    with transaction.atomic():
        sections = privacy.export_sections(actor)
        audit_log("privacy.export", actor=actor, target=actor, request=request, sections=sorted(sections))
    return {
        "format": privacy.EXPORT_FORMAT,
        "format_version": privacy.EXPORT_FORMAT_VERSION,
        "generated_at": timezone.now(),
        "sections": sections,
    }


def account_erase(
    *, actor: User, keep_posts_as_former_member: bool, request: HttpRequest | None = None
) -> None:
    """Erase `actor`: every app's eraser runs, then the user row is deleted.

    The audit log is not touched: its rows keep the bare actor id, which the staff viewer shows
    as "former member" once the row is gone. If some app still PROTECTs the row, it is kept as
    an anonymised tombstone instead (no e-mail, no password, no profile). Other sessions of the
    member end with the row (or, for a tombstone, with the password hash they were bound to).
    """
    address = actor.email
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        sections = privacy.erase_sections(user, keep_posts_as_former_member=keep_posts_as_former_member)
        # Logged while the id still resolves; codes only, never the address.
        audit_log(
            "privacy.erase", actor=user, target=user, request=request,
            tombstone="former_member", sections=sections,
            posts="kept_as_former_member" if keep_posts_as_former_member else "removed",
        )
        try:
            with transaction.atomic():
                user.delete()
        except (ProtectedError, RestrictedError) as error:
            blockers = sorted({obj._meta.label_lower for obj in _blocking_objects(error)})
            _user_anonymise(user)
            audit_log("privacy.erase_anonymised", actor=user, target=user, request=request, protected_by=blockers)
        # Sent from here rather than through the task queue so that the address is not stored
        # in a task row that would outlive the erasure. robust: a mail outage must not turn a
        # completed erasure into an error page.
        transaction.on_commit(partial(_send_goodbye_email, address), robust=True)


def _blocking_objects(error: ProtectedError | RestrictedError) -> set[Any]:
    if isinstance(error, ProtectedError):
        return set(error.protected_objects)
    return set(error.restricted_objects)


def _user_anonymise(user: User) -> None:
    user.email = f"erased-{user.public_id.hex}@erased.invalid"
    user.set_unusable_password()
    user.verification_status = VerificationStatus.NONE
    user.verified_until = None
    user.is_superuser = False
    user.last_login = None
    user.erased_at = timezone.now()
    # suspended too, so that every policy check (is_active_member) treats the row as gone.
    user.suspended_at = user.erased_at
    user.full_clean()
    user.save(update_fields=[
        "email", "password", "verification_status", "verified_until", "is_superuser",
        "last_login", "erased_at", "suspended_at",
    ])
    user.groups.clear()
    user.user_permissions.clear()


def _send_goodbye_email(address: str) -> None:
    # No content, like every e-mail we send: only that the account is gone.
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{_('Your account has been deleted')}",
        message=_(
            "Your account and the personal data it held have been deleted, as you asked.\n\n"
            "If you did not ask for this, please contact the staff at %(contact)s."
        ) % {"contact": settings.STAFF_CONTACT_EMAIL},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
