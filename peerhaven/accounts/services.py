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

from peerhaven.accounts.blind_index import employer_index
from peerhaven.accounts.models import (
    Profile,
    RoleGrant,
    TermsAcceptance,
    TermsVersion,
    User,
    VerificationStatus,
)
from peerhaven.accounts.selectors import forget_terms_pending
from peerhaven.core import privacy
from peerhaven.core.audit import audit_log
from peerhaven.core.middleware import SESSION_LANGUAGE, SESSION_TZ
from peerhaven.core.policies import forget_cached_roles
from peerhaven.core.sessions import sessions_in_database

PROFILE_EDITABLE_FIELDS = (
    "display_name", "pseudonym", "default_identity", "pronouns", "profession", "specialties",
    "modalities", "languages", "country", "region", "time_zone", "employer", "bio", "visibility",
    "language",
)


def profile_ensure(*, user: User) -> Profile:
    from peerhaven.sitesettings.selectors import default_time_zone

    # A new member starts in the instance's default zone (sign-up then applies the browser's).
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"time_zone": default_time_zone()})
    return profile


def profile_update(*, actor: User, request: HttpRequest | None = None, **changes: Any) -> Profile:
    unknown = set(changes) - set(PROFILE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=actor)
        for field, value in changes.items():
            setattr(profile, field, value)
        derived = []
        if "employer" in changes:
            profile.employer_index = employer_index(profile.employer or "")
            derived.append("employer_index")
        profile.updated_at = timezone.now()
        profile.full_clean()
        profile.save(update_fields=[*changes.keys(), *derived, "updated_at"])
        # Which fields changed is recorded, never their values.
        audit_log("profile.update", actor=actor, target=profile, request=request, fields=sorted(changes))
    if request is not None and "time_zone" in changes:
        request.session[SESSION_TZ] = profile.time_zone
    if request is not None and "language" in changes:
        request.session[SESSION_LANGUAGE] = profile.language
    return profile


def profile_employer_index_rebuild() -> int:
    """Recompute every employer blind index (after SECRET_KEY rotation). Returns the rows changed."""
    changed = 0
    for profile in Profile.objects.only("pk", "employer", "employer_index").iterator():
        wanted = employer_index(profile.employer or "")
        if wanted != profile.employer_index:
            Profile.objects.filter(pk=profile.pk).update(employer_index=wanted)
            changed += 1
    return changed


def terms_accept(*, actor: User, terms_version: TermsVersion, request: HttpRequest | None = None) -> TermsAcceptance:
    with transaction.atomic():
        acceptance, _created = TermsAcceptance.objects.get_or_create(user=actor, terms_version=terms_version)
        audit_log("terms.accept", actor=actor, target=terms_version, request=request)
    forget_terms_pending(actor)
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


# --- suspension ------------------------------------------------------------------------------
# Websocket contract: every consumer that serves a signed-in member joins the channel-layer group
# `member_group(user_id)` and closes its socket on {"type": "member.suspended"} (handler
# `member_suspended`). Services send it only after commit.
MEMBER_SUSPENDED_EVENT = "member.suspended"


def member_group(user_id: int) -> str:
    return f"member.{user_id}"


def member_suspend(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """Suspend `user`: from the commit on, nothing of theirs works.

    After commit, in this order: their sessions are deleted (`member_sessions_end`), a
    `{"type": "member.suspended"}` message goes to the channel-layer group `member.<user id>` so
    that every open websocket of theirs closes, and they are told by e-mail (without the reason,
    which staff keep in the staff app). Their API tokens stop at once: the API re-reads the
    member with each token (`api.auth.TokenAuth`). Suspending a suspended member changes nothing.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.suspended_at is not None:
            return locked
        locked.suspended_at = timezone.now()
        locked.save(update_fields=["suspended_at"])
        audit_log("member.suspend", actor=actor, target=locked, request=request)
        transaction.on_commit(partial(member_sessions_end, user_id=locked.pk))
        # robust: the member is already out (sessions gone, gate closed); an unreachable channel
        # layer or mail server must not turn that into an error page.
        transaction.on_commit(partial(_member_event_push, locked.pk, MEMBER_SUSPENDED_EVENT), robust=True)
        transaction.on_commit(partial(_send_status_email, locked.email, suspended=True), robust=True)
    user.suspended_at = locked.suspended_at
    return locked


def member_reinstate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """Lift a suspension; the member signs in again as before and is told by e-mail."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.suspended_at is None or locked.erased_at is not None:
            return locked
        locked.suspended_at = None
        locked.save(update_fields=["suspended_at"])
        audit_log("member.reinstate", actor=actor, target=locked, request=request)
        transaction.on_commit(partial(_send_status_email, locked.email, suspended=False), robust=True)
    user.suspended_at = None
    return locked


def member_sessions_end(*, user_id: int) -> int:
    """Delete every live session of member `user_id`; returns how many ended.

    Sessions live in the database (SESSION_ENGINE db) without a user column, so this decodes the
    live ones (at most 12 hours old: SESSION_ABSOLUTE_TIMEOUT_SECONDS) and matches the signed-in
    user id. Unlike a key index kept at log-in, this also finds sessions whose key was rotated
    later (password change). Suspensions and second-factor resets are rare, so the scan's cost is
    paid seldom; see docs/decisions/0005-staff-app.md.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.core.exceptions import ImproperlyConfigured

    if not sessions_in_database():
        raise ImproperlyConfigured("member_sessions_end expects database sessions (SESSION_ENGINE).")
    wanted = str(user_id)
    ending = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
        if str(session.get_decoded().get(SESSION_KEY)) == wanted
    ]
    deleted, _detail = Session.objects.filter(session_key__in=ending).delete()
    return deleted


def _member_event_push(user_id: int, event_type: str) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(member_group(user_id), {"type": event_type})


def _send_status_email(address: str, *, suspended: bool) -> None:
    # Like every e-mail we send: no content, and never the staff's reason.
    if suspended:
        subject = _("Your account has been suspended")
        body = _(
            "Your account has been suspended, so you cannot sign in for now.\n\n"
            "If you have questions, please contact the staff at %(contact)s."
        )
    else:
        subject = _("Your account is active again")
        body = _("Your account has been reinstated. You can sign in again.\n\nThe staff: %(contact)s")
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        message=body % {"contact": settings.STAFF_CONTACT_EMAIL},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
