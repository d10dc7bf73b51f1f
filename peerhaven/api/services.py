"""Writes owned by the API app: creating, using and revoking personal access tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User
from peerhaven.api.models import PersonalAccessToken
from peerhaven.core.audit import audit_log

TOKEN_PREFIX = "ph"
MAX_ACTIVE_TOKENS = 20
# Writing last_used_at on every call would cost a write per request; a minute is precise enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: PersonalAccessToken
    # The only moment the plain value exists outside the member's hands.
    plaintext: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    lifetime: dt.timedelta | None,
    request: HttpRequest | None = None,
) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Lock the member's row so two simultaneous creations cannot pass the cap together.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        active = PersonalAccessToken.objects.filter(user=actor, revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )
        if active.count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("You have %(count)d active tokens. Revoke one you no longer use first.")
                % {"count": MAX_ACTIVE_TOKENS}
            )
        now = timezone.now()
        token = PersonalAccessToken(
            user=actor,
            name=name.strip(),
            key_id=secrets.token_hex(8),
            secret_hash=hash_secret(secret),
            scopes=sorted(set(scopes)),
            created_at=now,
            expires_at=now + lifetime if lifetime is not None else None,
        )
        token.full_clean()
        token.save()
        audit_log("token.create", actor=actor, target=token, request=request, scopes=token.scopes)
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}_{token.key_id}_{secret}")


def token_revoke(
    *, actor: User, token: PersonalAccessToken, request: HttpRequest | None = None
) -> PersonalAccessToken:
    with transaction.atomic():
        locked = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_log("token.revoke", actor=actor, target=locked, request=request)
    return locked


def token_mark_used(*, token: PersonalAccessToken) -> None:
    """Record use at most once a minute: one conditional UPDATE, no write when recent."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    PersonalAccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
