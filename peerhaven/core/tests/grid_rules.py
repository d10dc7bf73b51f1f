"""The permission grid's vocabulary. Each app lists its routes in `peerhaven/<app>/tests/grid.py`
as `ROUTES: list[Route]`; `test_permission_grid.py` walks every URL pattern against every state
and fails for a route that no app describes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANON = "anonymous"
STATES = (
    ANON, "registered_no_mfa", "registered", "verified", "licence_expired", "suspended",
    "supporter", "facilitator", "moderator", "verifier", "staff",
)
ROLE_STATES = ("supporter", "facilitator", "moderator", "verifier", "staff")
REDIRECT = 302

# Where each kind of visitor lands for a members' page.
_GATED = {ANON: REDIRECT, "registered_no_mfa": REDIRECT, "suspended": REDIRECT}


def public(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(STATES, status)


def member(status: int = 200) -> dict[str, int]:
    """Any signed-in member past the gate (MFA set up, terms accepted, not suspended)."""
    return {**dict.fromkeys(STATES, status), **_GATED}


def gate_exempt(status: int = 200) -> dict[str, int]:
    """Signed-in pages reachable before MFA enrolment (the walk-through)."""
    return {**dict.fromkeys(STATES, status), ANON: REDIRECT, "suspended": REDIRECT}


def verified(status: int = 200) -> dict[str, int]:
    """Verified clinicians only; others get the kind 403 'verification needed' page."""
    expect = {**dict.fromkeys(STATES, status), **_GATED}
    expect["registered"] = 403
    expect["licence_expired"] = 403
    return expect


def role(*roles: str, status: int = 200) -> dict[str, int]:
    """Holders of a role only; everyone else signed in gets 404 (tools are not advertised)."""
    expect = {**dict.fromkeys(STATES, 404), **_GATED}
    for name in roles:
        expect[name] = status
    return expect


@dataclass
class Route:
    name: str
    expect: dict[str, int]
    # For object routes: builds an object owned by the given member and returns URL kwargs.
    # The grid then checks the owner (owner_status) against a non-owner in each state (expect).
    make_kwargs: Callable[[Any], dict[str, Any]] | None = None
    owner_status: int | None = None
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    # Routes outside the app's control (allauth, admin) are covered by a rule, not a walk.
    note: str = ""
