"""Session set-up at log-in: start of the absolute lifetime, the member's time zone and language,
audit, the sessions index and the new-device notice."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from peerhaven.core.audit import audit_log
from peerhaven.core.middleware import (
    SESSION_LANGUAGE,
    SESSION_LAST_SEEN,
    SESSION_LOGIN_AT,
    SESSION_TZ,
)


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    from peerhaven.accounts.services import profile_ensure

    profile = profile_ensure(user=user)
    request.session[SESSION_TZ] = profile.time_zone
    request.session[SESSION_LANGUAGE] = profile.language
    audit_log("auth.login", actor=user, target=user, request=request)
    from peerhaven.accounts.sessions import device_sign_in_record, session_track

    session_track(request=request, user=user)
    device_sign_in_record(user=user, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_log("auth.logout", actor=user, target=user, request=request)
