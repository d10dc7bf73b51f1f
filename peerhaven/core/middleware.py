"""Request-wide rails: session lifetimes, the member gate (suspension, MFA, terms), the member's
language and time zone, and the logging context."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerhaven.core.logging import request_path_var

SESSION_LOGIN_AT = "peerhaven_login_at"
SESSION_LAST_SEEN = "peerhaven_last_seen"
SESSION_TZ = "peerhaven_tz"
SESSION_LANGUAGE = "peerhaven_language"
# Writing the session on every request costs a write per page; a minute's precision is enough.
_LAST_SEEN_RESOLUTION = 60

# Reachable while signed in but before the gate is passed: allauth's own pages (log-out, MFA
# set-up, e-mail confirmation, re-authentication), the crisis page, static files, health.
_GATE_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/safety/crisis", "/api/")


class RequestLogContextMiddleware:
    """Keeps the request path (never its query string or body) available to log records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_path_var.set(request.path)
        try:
            return self.get_response(request)
        finally:
            request_path_var.reset(token)


class SessionLifetimeMiddleware:
    """Idle log-off after 30 minutes and an absolute limit of 12 hours (settings)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(SESSION_LOGIN_AT)
            last_seen = session.get(SESSION_LAST_SEEN)
            if login_at is None:
                session[SESSION_LOGIN_AT] = now
                session[SESSION_LAST_SEEN] = now
            elif (
                now - float(login_at) > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
                or now - float(last_seen or login_at) > settings.SESSION_IDLE_TIMEOUT_SECONDS
            ):
                logout(request)
                return self._signed_out(request)
            elif now - float(last_seen or 0) > _LAST_SEEN_RESOLUTION:
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Your session has ended. Please sign in again.")}, status=401)
        messages.info(request, _("You were signed out to keep your account safe. Please sign in again."))
        return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")


def session_is_live(session: Any) -> bool:
    """The same lifetime rules for websockets (checked at connect and on each message)."""
    now = time.time()
    login_at = session.get(SESSION_LOGIN_AT)
    if login_at is None:
        return False
    last_seen = session.get(SESSION_LAST_SEEN, login_at)
    return (
        now - float(login_at) <= settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
        and now - float(last_seen) <= settings.SESSION_IDLE_TIMEOUT_SECONDS
    )


class PeerhavenLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's deny-by-default log-in requirement; the API answers for itself (401 JSON)."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class MemberGateMiddleware:
    """Signed-in members pass only when not suspended, with a second factor, and with the
    current terms accepted. New members are walked through each step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if getattr(user, "suspended_at", None) is not None:
            logout(request)
            if getattr(view_func, "peerhaven_public", False):
                return None  # served as to any visitor
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("This account is suspended.")}, status=403)
            messages.error(request, _("This account is suspended. Contact the staff if you think this is a mistake."))
            return redirect("account_login")
        if getattr(view_func, "peerhaven_public", False) or getattr(view_func, "peerhaven_gate_exempt", False):
            return None
        if request.path.startswith(_GATE_EXEMPT_PREFIXES):
            return None
        from peerhaven.accounts.selectors import terms_pending_for
        from peerhaven.core.policies import has_mfa, prime_member_state

        prime_member_state(user)
        if not has_mfa(user):
            return redirect(f"{reverse('accounts:secure_account')}?{urlencode({'next': request.get_full_path()})}")
        if terms_pending_for(user) is not None:
            return redirect(f"{reverse('accounts:terms_accept')}?{urlencode({'next': request.get_full_path()})}")
        return None


class MemberLanguageMiddleware:
    """Speaks to a signed-in member in the language of their profile.

    Visitors get Django's standard choice (LocaleMiddleware: the `django_language` cookie set by
    the language switcher, else Accept-Language). A member's choice is stored on the profile
    and copied into the session at log-in and on change (as the time zone is), so it follows
    them to every browser without a query per request; it outranks the cookie, which the
    switcher sets too so that the page stays in that language after signing out. Placed right
    after AuthenticationMiddleware, before anything that may add a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get(SESSION_LANGUAGE) if request.user.is_authenticated else None
        if language and translation.check_for_language(language) and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Shows times in the viewer's zone (kept in the session at log-in and on profile change)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = request.session.get(SESSION_TZ) if hasattr(request, "session") else None
        if tz_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone is this request's only: never let it leak into whatever the thread
            # runs next (the next request, a task, a test's own date arithmetic).
            timezone.deactivate()
