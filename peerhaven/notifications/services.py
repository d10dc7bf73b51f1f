"""Writes owned by notifications: creating them, marking them read, delivery preferences and
the e-mail that says "there is something new for you"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import User
from peerhaven.core.audit import audit_log
from peerhaven.core.policies import forget_unread_badge
from peerhaven.notifications.emails import notification_email_build
from peerhaven.notifications.kinds import is_registered
from peerhaven.notifications.models import Notification, NotificationPreference
from peerhaven.notifications.selectors import default_preference, preference_for
from peerhaven.notifications.unsubscribe import unsubscribe_token_make

_UNSAFE_LINK_CHARACTERS = frozenset("\\\r\n\t ")


def _check_link(link: str) -> None:
    """A site-relative path only: never another site (no scheme, no `//host`, no backslash
    tricks that browsers read as `//`), because `notifications:open` redirects to it."""
    if link == "":
        return
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("A notification link must be a site-relative path starting with '/'.")
    if any(character in _UNSAFE_LINK_CHARACTERS for character in link) or any(ord(c) < 32 for c in link):
        raise ValueError("A notification link must not contain spaces, backslashes or control characters.")


def notify(*, user: Any, kind: str, link: str = "") -> Notification | None:
    """Tell `user` there is something new of `kind`, following their preferences.

    Returns the notification, or None when the member turned this kind off everywhere.
    Callers pass codes and paths only; the title comes from the catalogue in kinds.py.
    """
    if not is_registered(kind):
        raise ValueError(f"Unknown notification kind: {kind!r}")
    _check_link(link)
    in_app, email = preference_for(user, kind)
    # Suspended members keep their centre (they may return) but get no e-mail.
    email = email and user.suspended_at is None and bool(user.email)
    if not in_app and not email:
        return None
    with transaction.atomic():
        notification = Notification(user=user, kind=kind, link=link, in_app=in_app)
        notification.full_clean()
        notification.save()
        if email:
            notification_id = notification.pk
            transaction.on_commit(lambda: _enqueue_email(notification_id))
    return notification


def _enqueue_email(notification_id: int) -> None:
    from peerhaven.notifications.tasks import send_notification_email

    send_notification_email.enqueue(notification_id)


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionError("Members mark only their own notifications read.")
    if notification.read_at is not None:
        return notification
    now = timezone.now()
    with transaction.atomic():
        # A conditional update: two tabs marking the same row never overwrite the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    forget_unread_badge(actor)
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    with transaction.atomic():
        marked = Notification.objects.filter(user=actor, in_app=True, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    forget_unread_badge(actor)
    return marked


def preferences_update(
    *,
    actor: Any,
    in_app: Mapping[str, bool],
    email: Mapping[str, bool],
    request: HttpRequest | None = None,
) -> list[NotificationPreference]:
    """Store the member's choice for each kind named in `in_app` / `email`."""
    kinds = sorted(set(in_app) | set(email))
    unknown = [kind for kind in kinds if not is_registered(kind)]
    if unknown:
        raise ValueError(f"Unknown notification kinds: {unknown}")
    saved = []
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.kind: row
            for row in NotificationPreference.objects.select_for_update().filter(user=actor, kind__in=kinds)
        }
        for kind in kinds:
            row = existing.get(kind)
            if row is None:
                default_in_app, default_email = default_preference(kind)
                row = NotificationPreference(user=actor, kind=kind, in_app=default_in_app, email=default_email)
            row.in_app = bool(in_app.get(kind, row.in_app))
            row.email = bool(email.get(kind, row.email))
            row.updated_at = now
            row.full_clean()
            if row.pk is None:
                row.save()
            else:
                row.save(update_fields=["in_app", "email", "updated_at"])
            saved.append(row)
        audit_log("notifications.preferences.update", actor=actor, request=request, kinds=kinds)
    return saved


def email_unsubscribe(*, actor: Any, kind: str, request: HttpRequest | None = None) -> NotificationPreference:
    """Turn off e-mail for one kind (the one-click link in every notification e-mail)."""
    if not is_registered(kind):
        raise ValueError(f"Unknown notification kind: {kind!r}")
    with transaction.atomic():
        in_app, _email = preference_for(actor, kind)
        row, created = NotificationPreference.objects.select_for_update().get_or_create(
            user=actor, kind=kind, defaults={"in_app": in_app, "email": False}
        )
        if not created and row.email:
            row.email = False
            row.updated_at = timezone.now()
            row.full_clean()
            row.save(update_fields=["email", "updated_at"])
        audit_log("notifications.email.unsubscribe", actor=actor, target=actor, request=request, kind=kind)
    return row


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail for one notification, at most once. Returns whether a message went out.

    Preferences and suspension are checked again here: the member may have unsubscribed or
    been suspended between the event and the worker picking it up.
    """
    notification = Notification.objects.select_related("user__profile").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    user: User = notification.user
    if user.suspended_at is not None or not user.email:
        return False
    if not preference_for(user, notification.kind)[1]:
        return False
    # Claim the row first, so a retried or duplicated task cannot send a second copy.
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    message = notification_email_build(
        to=user.email,
        kind=notification.kind,
        # The mail links to the notification, not to its target: whatever a target path says
        # (a slug, a title) never reaches an inbox. E-mail-only rows have no centre entry.
        link=reverse("notifications:open", args=[notification.pk]) if notification.in_app else notification.link,
        unsubscribe_token=unsubscribe_token_make(user=user, kind=notification.kind),
        language=getattr(getattr(user, "profile", None), "language", ""),
    )
    try:
        message.send()
    except OSError:
        # Release the claim so the task's retry can send it; the failure still surfaces.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True
