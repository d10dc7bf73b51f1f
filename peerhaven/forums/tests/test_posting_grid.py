"""The posting routes' slice of the permission grid, runnable on its own (the full grid in
core/tests/test_permission_grid.py walks them too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.tests.grid_rules import STATES
from peerhaven.core.tests.test_permission_grid import _client, _request
from peerhaven.forums.tests.grid_posting import ROUTES

pytestmark = pytest.mark.django_db


def test_it_enforces_the_posting_grid() -> None:
    users: dict[str, Any] = {}
    failures: list[str] = []
    for route in ROUTES:
        assert set(route.expect) == set(STATES), route.name
        owner = make_member(verified=True) if route.make_kwargs else None
        for state in STATES:
            client, _user = _client(state, users)
            kwargs = route.make_kwargs(owner) if route.make_kwargs else {}
            status = _request(client, route, kwargs)
            if status != route.expect[state]:
                failures.append(f"{route.name} as {state}: expected {route.expect[state]}, got {status}")
        if route.make_kwargs is not None and owner is not None:
            expected = route.owner_status if route.owner_status is not None else 200
            status = _request(sign_in(Client(), owner), route, route.make_kwargs(owner))
            if status != expected:
                failures.append(f"{route.name} as owner: expected {expected}, got {status}")
    assert not failures, "\n".join(failures)
