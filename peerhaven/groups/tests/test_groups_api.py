"""The groups API: its grid walked on its own (every state, session and token, owner and stranger,
token scopes), and the PHI guard's findings in a 422."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.tests.conftest import ALL_SCOPES, bearer_for
from peerhaven.api.tests.test_api_grid import _call, _caller
from peerhaven.core.tests.grid_rules import STATES
from peerhaven.groups.models.groups import CasePresentation, Membership, MembershipStatus
from peerhaven.groups.tests.api_grid_groups import OPERATIONS
from peerhaven.groups.tests.grid_groups import facilitated_group

pytestmark = pytest.mark.django_db


def test_it_enforces_the_groups_api_grid() -> None:
    members: dict[str, Any] = {}
    failures: list[str] = []
    for operation in OPERATIONS:
        for how in ("session", "token"):
            owner = make_member(verified=True) if operation.make_path else None
            for state in STATES:
                client, headers = _caller(state, how, members)
                path_kwargs = operation.make_path(owner) if operation.make_path else {}
                status = _call(client, operation, path_kwargs, headers)
                if status != operation.expect[how][state]:
                    failures.append(f"{operation.key} as {state} ({how}): expected "
                                    f"{operation.expect[how][state]}, got {status}")
            if operation.make_path is not None and owner is not None:
                client = sign_in(Client(), owner) if how == "session" else Client()
                headers = {} if how == "session" else bearer_for(owner, ALL_SCOPES)
                status = _call(client, operation, operation.make_path(owner), headers)
                if status != operation.owner_status:
                    failures.append(f"{operation.key} as owner ({how}): expected {operation.owner_status}, got {status}")
    assert not failures, "\n".join(failures)


def test_it_enforces_each_groups_operations_token_scope() -> None:
    failures: list[str] = []
    for operation in OPERATIONS:
        member = make_member(verified=True)
        path_kwargs = operation.make_path(member) if operation.make_path else {}
        without = [scope for scope in ALL_SCOPES if scope != operation.scope]
        if _call(Client(), operation, path_kwargs, bearer_for(member, without)) != 403:
            failures.append(f"{operation.key} without its scope")
        status = _call(Client(), operation, path_kwargs, bearer_for(member, [operation.scope]))
        if status != operation.owner_status:
            failures.append(f"{operation.key} with only {operation.scope}: {status}")
    assert not failures, "\n".join(failures)


def test_it_returns_the_guards_findings_without_the_text_in_a_422() -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner)
    client = sign_in(Client(), owner)
    vignette = "The client can be reached at 503-555-0143 most evenings."
    response = client.post(f"/api/v1/groups/{group.pk}/case-presentations", {
        "title": "Stuck", "presenting_question": "How do I respond?", "context": "Weekly sessions.",
        "vignette": vignette, "needs": "Ideas.",
    }, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert "503-555-0143" not in response.content.decode()
    phone = [f for f in body["findings"] if f["category"] == "phone"]
    assert phone and phone[0]["field"] == "vignette" and phone[0]["severity"] == "block"
    assert vignette[phone[0]["start"]:phone[0]["end"]] == "503-555-0143"
    assert any(error["field"] == "vignette" for error in body["detail"])
    assert not CasePresentation.objects.exists()


def test_it_lets_an_api_member_confirm_soft_findings() -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner)
    client = sign_in(Client(), owner)
    case = {"title": "Stuck", "presenting_question": "How do I respond to Margaret?", "context": "Weekly.",
            "vignette": "A client feels unheard.", "needs": "Ideas."}
    refused = client.post(f"/api/v1/groups/{group.pk}/case-presentations", case, content_type="application/json")
    assert refused.status_code == 422
    assert {f["severity"] for f in refused.json()["findings"]} == {"confirm"}
    accepted = client.post(f"/api/v1/groups/{group.pk}/case-presentations",
                           {**case, "confirm_not_identifying": True}, content_type="application/json")
    assert accepted.status_code == 201


def test_it_walks_a_request_through_the_api() -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner)
    asker = make_member(verified=True)
    asking = sign_in(Client(), asker)
    membership_id = asking.post(f"/api/v1/groups/{group.pk}/join-request").json()["id"]
    decided = sign_in(Client(), owner).post(
        f"/api/v1/groups/{group.pk}/memberships/{membership_id}/decision", {"decision": "approve"},
        content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert asking.get(f"/api/v1/groups/{group.pk}/threads").status_code == 404
    accepted = asking.post(f"/api/v1/groups/{group.pk}/agreement/acceptance", {"version": 1},
                           content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    assert asking.get(f"/api/v1/groups/{group.pk}/threads").status_code == 200
    assert Membership.objects.get(pk=membership_id).status == MembershipStatus.ACTIVE
