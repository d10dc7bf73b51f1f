"""Shared set-up for live's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _phi_guard_loaded() -> None:
    # The PHI guard loads its word lists on first use (seconds on a busy machine). Socket tests
    # wait at most ten seconds for a chat echo, so the first chat post must not pay that cost.
    from peerhaven.safety import phi

    phi.scan("warm up")
