"""The API grid's vocabulary, shared by every app's `tests/api_grid.py`: an app lists its
operations as `OPERATIONS = [Operation(...), ...]` there, and test_api_grid walks them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from peerhaven.core.tests.grid_rules import ANON, STATES

SESSION, TOKEN = "session", "token"
# A visitor "with a token" presents one that does not exist.
UNKNOWN_TOKEN = {"HTTP_AUTHORIZATION": "Bearer ph_0123456789abcdef_" + "A" * 43}


def member_op(status: int = 200) -> dict[str, dict[str, int]]:
    """Any member past the gate. A suspended member's session is ended (403) and their tokens
    stop working (401); a member without a second factor is sent to set one up (403)."""
    others = dict.fromkeys(STATES, status)
    return {
        SESSION: {**others, ANON: 401, "registered_no_mfa": 403, "suspended": 403},
        TOKEN: {**others, ANON: 401, "registered_no_mfa": 403, "suspended": 401},
    }


def verified_op(status: int = 200) -> dict[str, dict[str, int]]:
    """Verified members only: the others past the gate are refused (403)."""
    expect = member_op(status)
    for how in (SESSION, TOKEN):
        expect[how] = {**expect[how], "registered": 403, "licence_expired": 403}
    return expect


@dataclass
class Operation:
    method: str
    path: str  # as in the OpenAPI document, with {placeholders}
    expect: dict[str, dict[str, int]]
    scope: str
    body: dict[str, Any] | None = None
    # For operations on one object: builds an object owned by the given member and returns the
    # path placeholders. Every state above is then a non-owner; the owner gets owner_status.
    make_path: Callable[[Any], dict[str, Any]] | None = None
    owner_status: int = 200
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"
