"""Template context every page needs: organisation name, crisis link, unread count."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

# The base layout's links (none takes an argument): reversed once per process and script
# prefix instead of on every page (28 reverse() calls a page otherwise).
_NAV_ROUTES = (
    "notifications:list", "verification:my_licence", "verification:queue", "safety:moderation_queue",
    "safety:crisis", "core:home", "core:index", "core:services", "core:privacy", "core:contact",
    "core:audit_log", "accounts:profile", "accounts:settings", "staff:index", "sitesettings:edit",
    "account_logout", "account_login", "account_signup", "set_language",
)


@functools.cache
def _nav_urls(script_prefix: str) -> dict[str, str]:
    del script_prefix  # part of the key: reverse() reads the active prefix
    return {route.replace(":", "_"): reverse(route) for route in _NAV_ROUTES}


def site(request: HttpRequest) -> dict[str, Any]:
    from peerhaven.core.policies import is_verified, user_roles
    from peerhaven.sitesettings.selectors import org_name

    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None else frozenset()
    return {
        "ORG_NAME": org_name(request),
        "viewer_roles": roles,
        "viewer_is_verified": is_verified(user) if user is not None else False,
        "nav": _nav_urls(get_script_prefix()),
    }
