"""The instance's default language and time zone, for whoever has not chosen their own."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header

from peerhaven.core.middleware import SESSION_TZ
from peerhaven.sitesettings.selectors import default_language, default_time_zone


def _states_a_language(request: HttpRequest) -> bool:
    """True when the visitor said which of our languages they read: the switcher's cookie, or
    an Accept-Language entry we can serve."""
    supported = {code for code, _name in settings.LANGUAGES}
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie and cookie in supported:
        return True
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            continue
        try:
            translation.get_supported_language_variant(code)
        except LookupError:
            continue
        return True
    return False


class DefaultLanguageMiddleware:
    """Right after LocaleMiddleware: a visitor who states none of our languages reads the
    instance's default instead of settings.LANGUAGE_CODE.

    Decision: the browser's Accept-Language still wins over the instance default. It is the
    reader's own statement of what they can read, while the default is the organisation's guess
    for everyone; a Spanish-speaking clinician visiting an English-default instance should not
    have to find the switcher first. The switcher's cookie and a member's saved language
    (MemberLanguageMiddleware, later in the chain) win over both."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _states_a_language(request):
            language = default_language(request)
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class DefaultTimeZoneMiddleware:
    """Right after UserTimezoneMiddleware: times are shown in the instance's default zone to
    whoever has no zone of their own in the session (visitors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        has_own = hasattr(request, "session") and bool(request.session.get(SESSION_TZ))
        if not has_own:
            try:
                timezone.activate(zoneinfo.ZoneInfo(default_time_zone(request)))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        return self.get_response(request)
