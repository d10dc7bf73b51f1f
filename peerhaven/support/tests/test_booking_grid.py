"""The booking concern's slice of the permission grid, runnable on its own (the full grid in
core walks every app's routes, these included)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.tests.grid_rules import STATES
from peerhaven.core.tests.test_permission_grid import _client, _request, all_routes
from peerhaven.support.tests.grid_booking import ROUTES


def test_it_describes_every_booking_route() -> None:
    ours = {name for name in all_routes() if name.startswith("support:")}
    described = {route.name for route in ROUTES}
    assert described <= ours
    assert {"support:home", "support:supporter_detail", "support:session", "support:calendar_feed_ics"} <= described


@pytest.mark.django_db
def test_it_enforces_the_booking_grid() -> None:
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
