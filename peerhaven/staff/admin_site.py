"""The Django admin's site: superusers only, and only in a session signed in with a passkey.

Its own log-in form is never used: it would sign a superuser in with a password alone, around
allauth's second factor. Visitors are sent to the site's sign-in, superusers without a passkey
session to the passkey step, everyone else gets a 404 (the admin is not advertised)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from peerhaven.core.policies import is_active_member, session_used_passkey


class PeerhavenAdminSite(AdminSite):
    site_header = "Peerhaven administration"
    site_title = "Peerhaven administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            is_active_member(user)
            and user.is_active
            and getattr(user, "is_superuser", False)
            and session_used_passkey(request)
        )

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        next_url = request.GET.get("next", "")
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if getattr(request.user, "is_superuser", False) and is_active_member(request.user):
            return redirect(f"{reverse('core:passkey_required')}?{urlencode({'next': next_url})}")
        raise Http404
