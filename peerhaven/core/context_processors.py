"""Template context every page needs: organisation name, crisis link, unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    from peerhaven.core.policies import is_verified, user_roles
    from peerhaven.sitesettings.selectors import org_name

    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None else frozenset()
    return {
        "ORG_NAME": org_name(request),
        "viewer_roles": roles,
        "viewer_is_verified": is_verified(user) if user is not None else False,
    }
