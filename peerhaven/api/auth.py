"""Who is calling /api/v1: a signed-in session (CSRF-checked) or a personal access token, held
to the same member rules as the site (not suspended, second factor set up, current terms
accepted). A token is further limited to the scopes it was granted.

Each router is mounted with `member_auth(read_scope=..., write_scope=...)`, so a token's scopes
are enforced for every operation; `require_scope` is there for an operation that needs more.
A handler reads the member with `api_member(request)`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from peerhaven.accounts.models import User
from peerhaven.accounts.selectors import terms_pending_for
from peerhaven.api.models import PersonalAccessToken, TokenScope
from peerhaven.api.selectors import token_for_presented
from peerhaven.api.services import token_mark_used
from peerhaven.core.policies import has_mfa, is_active_member

_TOKEN_ATTR = "peerhaven_api_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenRejected(AuthenticationError):
    """A presented token that is unknown, revoked, expired or belongs to a suspended member.

    One answer for all of these, so the API does not say which it was."""

    def __init__(self) -> None:
        super().__init__(
            401, _("This access token is not valid. It may have expired or been revoked.")
        )


def gate_refusal(user: Any) -> str | None:
    """Why a signed-in member may not use the API yet (the site's member gate), or None."""
    if not has_mfa(user):
        return _("Set up a second factor for your account on the site first.")
    if terms_pending_for(user) is not None:
        return _("Accept the current terms of use on the site first.")
    return None


def _pass_gate(user: Any) -> None:
    refusal = gate_refusal(user)
    if refusal is not None:
        raise HttpError(403, refusal)


class SessionAuth(APIKeyCookie):
    """The browser session. Unsafe methods must carry the CSRF token (X-CSRFToken)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None  # a presented token decides on its own; see TokenAuth
        user = request.user
        # MemberGateMiddleware already ends a suspended member's session; this holds without it.
        if not is_active_member(user):
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("The CSRF token is missing or wrong. Reload the page and try again."))
        _pass_gate(user)
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # Only here to satisfy APIKeyCookie; the checks live in __call__.
        return request.user if request.user.is_authenticated else None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ph_<key_id>_<secret>`, limited to the scopes the router was mounted
    with: `read_scope` for safe methods, `write_scope` for the rest. An operation mounted
    without a scope is not open to tokens at all (deny by default); `any_scope` is for the
    schema and docs, which any valid token may read."""

    def __init__(
        self, *, read_scope: str | None = None, write_scope: str | None = None, any_scope: bool = False
    ) -> None:
        for scope in (read_scope, write_scope):
            if scope is not None and scope not in TokenScope.values:
                raise ValueError(f"Unknown API scope {scope!r}")
        self.read_scope = read_scope
        self.write_scope = write_scope
        self.any_scope = any_scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for_presented(token)
        # Suspension takes effect at once: the token's member is re-read with the token.
        if found is None or not is_active_member(found.user):
            raise TokenRejected()
        _pass_gate(found.user)
        if not self.any_scope:
            needed = self.read_scope if request.method in _SAFE_METHODS else self.write_scope
            if needed is None:
                raise HttpError(403, _("This operation cannot be used with an access token."))
            _check_scope(found, needed)
        token_mark_used(token=found)
        request.user = found.user
        setattr(request, _TOKEN_ATTR, found)
        return found.user


def member_auth(*, read_scope: str | None = None, write_scope: str | None = None) -> list[AuthBase]:
    """The authentication a router is mounted with: the member's session, or a token holding
    `read_scope` (safe methods) or `write_scope` (changes)."""
    return [SessionAuth(), TokenAuth(read_scope=read_scope, write_scope=write_scope)]


def _check_scope(token: PersonalAccessToken, scope: str) -> None:
    if scope not in token.scopes:
        raise HttpError(
            403, _("This access token does not have the “%(scope)s” scope.") % {"scope": scope}
        )


def request_token(request: HttpRequest) -> PersonalAccessToken | None:
    """The token this request was authenticated with, None for a session."""
    token = getattr(request, _TOKEN_ATTR, None)
    return token if isinstance(token, PersonalAccessToken) else None


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse (403) a token that was not granted `scope`. A session acts with the member's
    full rights, as the site does, so it always passes."""
    if scope not in TokenScope.values:
        raise ValueError(f"Unknown API scope {scope!r}")
    token = request_token(request)
    if token is not None:
        _check_scope(token, scope)


def api_member(request: HttpRequest) -> User:
    """The member an authenticated operation acts for."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
