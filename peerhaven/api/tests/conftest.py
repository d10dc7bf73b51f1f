"""Fixtures for API tests: personal access tokens as a tool would present them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from peerhaven.accounts.models import User
from peerhaven.api.models import TokenScope
from peerhaven.api.services import token_create

ALL_SCOPES = tuple(TokenScope.values)


def bearer_for(user: User, scopes: Iterable[str] = ALL_SCOPES) -> dict[str, str]:
    """Client keyword arguments that send a fresh token of `user` with `scopes`."""
    issued = token_create(actor=user, name="test", scopes=list(scopes), lifetime=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


@pytest.fixture
def bearer(db: Any) -> Callable[..., dict[str, str]]:
    return bearer_for
