"""Shared set-up for live's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from peerhaven.live.db import release_connections


@pytest.fixture(scope="session", autouse=True)
def _phi_guard_loaded() -> None:
    # The PHI guard loads its word lists on first use (seconds on a busy machine). Socket tests
    # wait at most ten seconds for a chat echo, so the first chat post must not pay that cost.
    from peerhaven.safety import phi

    phi.scan("warm up")


@pytest.fixture(autouse=True)
def _database_thread_released(request: pytest.FixtureRequest) -> Iterator[None]:
    # The consumers' database thread keeps its connection between trips (live.db): close it
    # after each database test, before the test database is flushed (or dropped, on PostgreSQL).
    yield
    if request.node.get_closest_marker("django_db") is not None:
        asyncio.run(release_connections())
