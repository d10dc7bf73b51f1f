"""API-grid expectations: matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback."""

from __future__ import annotations

from typing import Any

from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import Operation, verified_op


def _relationship_of(owner: Any) -> dict[str, Any]:
    from peerhaven.support.services.matching import relationship_declare

    return {"entry_id": relationship_declare(actor=owner, label="grid@elsewhere.example", kind="colleague").pk}


def _never_match_of(owner: Any) -> dict[str, Any]:
    from peerhaven.support.services.matching import never_match_add

    return {"entry_id": never_match_add(actor=owner, label="GridPeer").pk}


OPERATIONS: list[Operation] = [
    Operation("get", "/api/v1/support/supporters", verified_op(200), TokenScope.SUPPORT_READ),
    Operation("get", "/api/v1/support/suggestions", verified_op(200), TokenScope.SUPPORT_READ),
    Operation("get", "/api/v1/support/exclusions", verified_op(200), TokenScope.SUPPORT_READ),
    Operation("post", "/api/v1/support/exclusions/relationships", verified_op(201), TokenScope.SUPPORT_WRITE,
              body={"label": "someone@elsewhere.example", "kind": "supervisor"}, owner_status=201),
    Operation("post", "/api/v1/support/exclusions/never", verified_op(201), TokenScope.SUPPORT_WRITE,
              body={"label": "SomePeer"}, owner_status=201),
    # Someone else's entry: 404; the owner's own: removed.
    Operation("delete", "/api/v1/support/exclusions/relationships/{entry_id}", verified_op(404), TokenScope.SUPPORT_WRITE,
              make_path=_relationship_of, owner_status=204),
    Operation("delete", "/api/v1/support/exclusions/never/{entry_id}", verified_op(404), TokenScope.SUPPORT_WRITE,
              make_path=_never_match_of, owner_status=204),
]
