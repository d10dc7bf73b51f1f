"""The booking concern's slice of the API grid, runnable on its own (the API app's grid walks
every app's operations, these included)."""

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
from peerhaven.support.tests.api_grid_booking import OPERATIONS


def test_it_describes_operations_that_exist() -> None:
    assert {operation.key for operation in OPERATIONS} <= documented_operations()


@pytest.mark.django_db
def test_it_enforces_the_booking_api_grid() -> None:
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
