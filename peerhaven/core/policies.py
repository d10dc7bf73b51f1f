"""The policy layer's shared part: who a user is (roles, states) and the view decorators that
enforce it. Each app's policies.py builds its `can_<action>(user, obj)` functions on these.

Deny by default: every view needs a signed-in member with a second factor and accepted terms
(LoginRequiredMiddleware + MemberGateMiddleware) unless it is marked `@public`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.db.models import Aggregate, CharField, Count, Exists, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import Role, VerificationStatus
from peerhaven.accounts.selectors import remember_no_terms_pending, terms_newest_first
from peerhaven.core.prepared import PreparedRead

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

_ROLES_CACHE = "_peerhaven_roles"
_MFA_CACHE = "_peerhaven_has_mfa"


def user_roles(user: Any) -> frozenset[str]:
    """The roles a user holds, loaded once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        cached = frozenset(user.role_grants.values_list("role", flat=True))
        setattr(user, _ROLES_CACHE, cached)
    return cached


def forget_cached_roles(user: Any) -> None:
    if hasattr(user, _ROLES_CACHE):
        delattr(user, _ROLES_CACHE)


def has_role(user: Any, role: str) -> bool:
    return is_active_member(user) and role in user_roles(user)


def is_active_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "suspended_at", None) is None


def has_mfa(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, _MFA_CACHE, None)
    if cached is None:
        from allauth.mfa.models import Authenticator

        cached = Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
        setattr(user, _MFA_CACHE, cached)
    return bool(cached)


class _RoleList(Aggregate):
    """The role names of a member as one comma-separated string (a row per grant otherwise)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, ',')", **extra)


UNREAD_CACHE = "_peerhaven_unread"


def forget_unread_badge(user: Any) -> None:
    if hasattr(user, UNREAD_CACHE):
        delattr(user, UNREAD_CACHE)


def _member_state_query(user_id: int) -> Any:
    from allauth.mfa.models import Authenticator

    from peerhaven.accounts.models import RoleGrant, TermsAcceptance, TermsVersion, User
    from peerhaven.notifications.models import Notification

    latest_terms = terms_newest_first().values("id")[:1]
    return User.objects.filter(pk=user_id).values_list(
        Exists(Authenticator.objects.filter(
            user=OuterRef("pk"), type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        )),
        Exists(TermsVersion.objects.all()),
        Exists(TermsAcceptance.objects.filter(user=OuterRef("pk"), terms_version_id=Subquery(latest_terms))),
        Subquery(
            RoleGrant.objects.filter(user=OuterRef("pk")).values("user").annotate(names=_RoleList("role")).values("names")
        ),
        Subquery(
            Notification.objects.filter(user=OuterRef("pk"), in_app=True, read_at__isnull=True)
            .values("user").annotate(n=Count("pk")).values("n")
        ),
    )


_MEMBER_STATE = PreparedRead(_member_state_query, arity=1)


def prime_member_state(user: Any) -> None:
    """Loads, in one query, what every signed-in page asks about its member: the second factor,
    whether the current terms are accepted, the roles and the unread notifications badge. Each
    lands in the per-request cache its own function reads (has_mfa, terms_pending_for,
    user_roles, the badge), so they ask no query of their own on this request; a service that
    changes one of them for the acting member forgets that cache (forget_cached_roles, ...).
    The query is compiled once per process (core/prepared.py)."""
    rows = _MEMBER_STATE.rows(int(user.pk))
    row = rows[0] if rows else None
    if row is None:
        return
    mfa, any_terms, accepted, roles, unread = row
    setattr(user, _MFA_CACHE, bool(mfa))
    setattr(user, _ROLES_CACHE, frozenset(roles.split(",")) if roles else frozenset())
    setattr(user, UNREAD_CACHE, int(unread or 0))
    if accepted or not any_terms:
        remember_no_terms_pending(user)  # nothing pending; the pending version is loaded only when needed


def has_passkey(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()


def is_verified(user: Any) -> bool:
    """A verified clinician whose licence has not lapsed."""
    if not is_active_member(user):
        return False
    if user.verification_status != VerificationStatus.VERIFIED:
        return False
    until = user.verified_until
    return until is None or until >= timezone.localdate()


def is_staff_admin(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def session_used_passkey(request: HttpRequest) -> bool:
    """True when this session's sign-in (or a later re-authentication) used a WebAuthn passkey."""
    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(
        record.get("method") == "mfa" and record.get("type") == "webauthn" for record in records
    )


# --- view decorators -------------------------------------------------------------------------
def public(view: ViewFunc) -> ViewFunc:
    """Open to visitors: no sign-in, no member gate."""
    wrapped = login_not_required(view)
    wrapped.peerhaven_public = True  # type: ignore[attr-defined]
    return wrapped


def gate_exempt(view: ViewFunc) -> ViewFunc:
    """Signed-in, but reachable before MFA enrolment and terms acceptance (the walk-through)."""
    view.peerhaven_gate_exempt = True  # type: ignore[attr-defined]
    return view


def verified_required(view: ViewFunc) -> ViewFunc:
    """Only verified clinicians; others see a kind page explaining how to get verified."""

    @wraps(view)
    def _wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_verified(request.user):
            return render(request, "core/verification_needed.html", status=403)
        return view(request, *args, **kwargs)

    return _wrapped  # type: ignore[return-value]


# Roles whose tools hold the most sensitive data: their sessions must be passkey-authenticated.
PASSKEY_ROLES = frozenset({Role.VERIFIER, Role.STAFF})


def role_required(*roles: str, passkey: bool | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """Only holders of one of `roles`. Others get a 404: staff tools are not advertised.

    Verifier and staff tools (and any view passing passkey=True) need a session authenticated
    with a passkey; otherwise the member is asked to step up (decision 0004).
    """
    if passkey is None:
        passkey = bool(PASSKEY_ROLES.intersection(roles))

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def _wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(has_role(request.user, role) for role in roles):
                raise Http404
            if passkey and not session_used_passkey(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('core:passkey_required')}?{query}")
            return view(request, *args, **kwargs)

        return _wrapped  # type: ignore[return-value]

    return decorator
