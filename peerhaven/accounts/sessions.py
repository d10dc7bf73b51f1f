"""My sessions and the new-device notice: which devices a member is signed in on (allauth's
usersessions index), signing them out, and telling the member about a sign-in from a kind of
device they have not used before."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

import ua_parser
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from peerhaven.accounts.models import KnownDevice, User
from peerhaven.core.audit import audit_log
from peerhaven.core.middleware import SESSION_LAST_SEEN, session_is_live
from peerhaven.core.sessions import sessions_in_database

NEW_DEVICE_KIND = "account.new_device"
SESSIONS_PATH = "/me/sessions/"
_UNKNOWN = "Other"  # ua-parser's name for a family it does not recognise


# --- devices ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceKind:
    """A browser family on an operating-system family: versions are left out on purpose, so a
    browser update is not a "new device"."""

    browser: str
    os: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.browser.lower()}\n{self.os.lower()}".encode()).hexdigest()

    @property
    def code(self) -> str:
        """The untranslated families, as stored beside the fingerprint."""
        return f"{self.browser} / {self.os}"[:120]

    def label(self) -> str:
        browser = self.browser if self.browser != _UNKNOWN else _("Unknown browser")
        system = self.os if self.os != _UNKNOWN else _("an unknown system")
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}


@lru_cache(maxsize=2048)
def device_kind(user_agent: str) -> DeviceKind:
    parsed = ua_parser.parse(user_agent[:512]).with_defaults()
    return DeviceKind(browser=parsed.user_agent.family, os=parsed.os.family)


def device_sign_in_record(*, user: User, request: HttpRequest) -> KnownDevice:
    """Remember the kind of device `user` just signed in from; tell them when it is new.

    A member's very first recorded device (at sign-up, or the first sign-in after this feature
    arrived) is taken as their own without a notice: there is nothing earlier to compare with,
    and a notice for every member at once would teach everyone to ignore it.
    """
    kind = device_kind(request.META.get("HTTP_USER_AGENT", ""))
    now = timezone.now()
    with transaction.atomic():
        device = KnownDevice.objects.filter(user=user, fingerprint=kind.fingerprint).first()
        if device is not None:
            device.last_seen = now
            device.save(update_fields=["last_seen"])
            return device
        had_devices = KnownDevice.objects.filter(user=user).exists()
        device = KnownDevice(user=user, fingerprint=kind.fingerprint, label=kind.code, first_seen=now, last_seen=now)
        device.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                device.save()
        except IntegrityError:
            # The same device signing in twice at once: the other request recorded (and told).
            return KnownDevice.objects.get(user=user, fingerprint=kind.fingerprint)
        if had_devices:
            audit_log("auth.new_device", actor=user, target=user, request=request, device=device.pk)
            user_id = user.pk
            transaction.on_commit(lambda: _notify_new_device(user_id))
    return device


def _notify_new_device(user_id: int) -> None:
    from peerhaven.notifications.services import notify

    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        notify(user=user, kind=NEW_DEVICE_KIND, link=SESSIONS_PATH)


# --- reads -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignedInSession:
    pk: int
    device: DeviceKind
    ip: str
    signed_in_at: dt.datetime
    last_seen_at: dt.datetime
    is_current: bool


def sessions_of(user: User, *, current_key: str | None) -> list[SignedInSession]:
    """The member's live sessions, newest first, in two queries whatever their number.

    A session counts only while Django would still accept it: the row exists and has not
    expired, it names this member with their current password hash, and it is within the idle
    and absolute lifetimes (a row past them is signed out at its next request).
    """
    rows = list(UserSession.objects.filter(user=user).order_by("-created_at", "-pk"))
    stored = {
        session.session_key: session
        for session in Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        )
    }
    auth_hash = user.get_session_auth_hash()
    listed = []
    for row in rows:
        session = stored.get(row.session_key)
        if session is None:
            continue
        data = session.get_decoded()
        if str(data.get(SESSION_KEY)) != str(user.pk):
            continue
        if not constant_time_compare(str(data.get(HASH_SESSION_KEY, "")), auth_hash) or not session_is_live(data):
            continue
        last_seen = data.get(SESSION_LAST_SEEN)
        listed.append(
            SignedInSession(
                pk=row.pk,
                device=device_kind(row.user_agent),
                ip=row.ip,
                signed_in_at=row.created_at,
                last_seen_at=dt.datetime.fromtimestamp(float(last_seen), tz=dt.UTC) if last_seen else row.last_seen_at,
                is_current=row.session_key == current_key,
            )
        )
    return listed


def user_session_get_for_user(user: Any, pk: int) -> UserSession:
    """One of the member's own sessions; anybody else's is a 404."""
    row = UserSession.objects.filter(user_id=getattr(user, "pk", None), pk=pk).first()
    if row is None:
        raise Http404
    return row


# --- writes ----------------------------------------------------------------------------------
def session_track(*, request: HttpRequest, user: User) -> None:
    """Index the session just started (allauth does the same for its own log-ins; this covers
    every django.contrib.auth log-in). Needs the client's address, which a real request has."""
    if not request.META.get("REMOTE_ADDR") or not hasattr(request, "session"):
        return
    if not hasattr(request, "user") or request.user.pk != user.pk:
        request.user = user
    UserSession.objects.create_from_request(request)


def session_end(*, actor: User, user_session: UserSession, request: HttpRequest) -> bool:
    """Sign out one of the actor's sessions; True when it was the one making this request."""
    if user_session.user_id != actor.pk:
        raise PermissionError("Members sign out only their own sessions.")
    is_current = user_session.session_key == request.session.session_key
    with transaction.atomic():
        audit_log("auth.session_end", actor=actor, target=actor, request=request, session=user_session.pk)
        user_session.end()
    return is_current


def sessions_end_others(*, actor: User, request: HttpRequest) -> int:
    """Sign out every session of the actor except the one making this request."""
    with transaction.atomic():
        others = list(UserSession.objects.filter(user=actor).exclude(session_key=request.session.session_key))
        _end(others)
        audit_log("auth.sessions_end_others", actor=actor, target=actor, request=request, count=len(others))
    return len(others)


def end_all_sessions(user: User) -> int:
    """Delete every session of `user` that the usersessions index knows (all sign-ins since it
    was installed): the django_session rows and their index rows. Returns how many ended."""
    with transaction.atomic():
        rows = list(UserSession.objects.filter(user=user))
        _end(rows)
    return len(rows)


def _end(rows: list[UserSession]) -> None:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [row.session_key for row in rows]
    if sessions_in_database():
        Session.objects.filter(session_key__in=keys).delete()
    else:
        for key in keys:
            store_class().delete(key)
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()


# --- privacy registry ------------------------------------------------------------------------
PRIVACY_SECTION = "devices"


def export_member(user: User) -> dict[str, Any]:
    return {
        "known_devices": [
            {"device": device.label, "first_seen": device.first_seen, "last_seen": device.last_seen}
            for device in KnownDevice.objects.filter(user=user).order_by("first_seen", "pk")
        ],
        "sessions": [
            {"ip_address": row.ip, "user_agent": row.user_agent, "signed_in_at": row.created_at}
            for row in UserSession.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }


def erase_member(user: User, *, keep_posts_as_former_member: bool) -> None:
    end_all_sessions(user)
    KnownDevice.objects.filter(user=user).delete()
