"""Fixtures for safety's tests: a clean rate-limit store, members in the roles safety uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from peerhaven.accounts.models import User


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # Rate-limit counters live in the cache, keyed by member id; ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderator(member_factory: Callable[..., User]) -> User:
    return member_factory(verified=True, roles=("moderator",))


@pytest.fixture
def moderator_client(client_for: Callable[..., Client], moderator: User) -> Client:
    return client_for(moderator, passkey=True)


@pytest.fixture
def staff(member_factory: Callable[..., User]) -> User:
    return member_factory(verified=True, roles=("staff",))


@pytest.fixture
def staff_client(client_for: Callable[..., Client], staff: User) -> Client:
    return client_for(staff, passkey=True)


def audit_actions(**filters: Any) -> list[str]:
    from peerhaven.core.models import AuditEntry

    return list(AuditEntry.objects.filter(**filters).values_list("action", flat=True))
