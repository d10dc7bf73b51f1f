"""The matching concern's slice of the permission grid and of the API grid, runnable on their
own (the full grids in core and api walk every app's routes and operations, these included)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.tests.api_grid_rules import SESSION, TOKEN
from peerhaven.api.tests.conftest import ALL_SCOPES, bearer_for
from peerhaven.api.tests.test_api_grid import _call, _caller, documented_operations
from peerhaven.core.tests.grid_rules import STATES
from peerhaven.core.tests.test_permission_grid import _client, _request, all_routes
from peerhaven.support.tests.api_grid_matching import OPERATIONS
from peerhaven.support.tests.grid_matching import ROUTES


def test_it_describes_every_matching_route_and_operation() -> None:
    routes = set(all_routes())
    described = {route.name for route in ROUTES}
    assert described <= routes
    assert {"support:search", "support:suggestions", "support:exclusions", "support:feedback_aggregates"} <= described
    assert {operation.key for operation in OPERATIONS} <= documented_operations()
    ours = {key for key in documented_operations() if key.split(" ")[1].startswith(("/api/v1/support/suggestions", "/api/v1/support/exclusions"))}
    assert ours <= {operation.key for operation in OPERATIONS}


@pytest.mark.django_db
def test_it_enforces_the_matching_grid() -> None:
    users: dict[str, Any] = {}
    failures: list[str] = []
    for route in ROUTES:
        owner = make_member(verified=True) if route.make_kwargs else None
        for state in STATES:
            client, _user = _client(state, users)
            kwargs = route.make_kwargs(owner) if route.make_kwargs else {}
            status = _request(client, route, kwargs)
            if status != route.expect[state]:
                failures.append(f"{route.name} as {state}: expected {route.expect[state]}, got {status}")
        if route.make_kwargs is not None and owner is not None:
            status = _request(sign_in(Client(), owner), route, route.make_kwargs(owner))
            if status != route.owner_status:
                failures.append(f"{route.name} as owner: expected {route.owner_status}, got {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_enforces_the_matching_api_grid() -> None:
    members: dict[str, Any] = {}
    failures: list[str] = []
    for operation in OPERATIONS:
        for how in (SESSION, TOKEN):
            owner = make_member(verified=True) if operation.make_path else None
            for state in STATES:
                client, headers = _caller(state, how, members)
                path_kwargs = operation.make_path(owner) if operation.make_path else {}
                status = _call(client, operation, path_kwargs, headers)
                if status != operation.expect[how][state]:
                    failures.append(f"{operation.key} as {state} ({how}): expected {operation.expect[how][state]}, got {status}")
            if operation.make_path is not None and owner is not None:
                client = sign_in(Client(), owner) if how == SESSION else Client()
                headers = {} if how == SESSION else bearer_for(owner, ALL_SCOPES)
                status = _call(client, operation, operation.make_path(owner), headers)
                if status != operation.owner_status:
                    failures.append(f"{operation.key} as owner ({how}): expected {operation.owner_status}, got {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_enforces_each_matching_operations_token_scope() -> None:
    failures: list[str] = []
    for operation in OPERATIONS:
        member = make_member(verified=True)
        path_kwargs = operation.make_path(member) if operation.make_path else {}
        without = [scope for scope in ALL_SCOPES if scope != operation.scope]
        status = _call(Client(), operation, path_kwargs, bearer_for(member, without))
        if status != 403:
            failures.append(f"{operation.key} without {operation.scope}: expected 403, got {status}")
    assert not failures, "\n".join(failures)
