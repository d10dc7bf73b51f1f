"""Browser tests that run inside a network namespace with only loopback (`scripts/e2e-netns.sh`
creates it and runs this directory there): the live meetup room and the WebRTC video rooms.

Inside the namespace PostgreSQL and Redis are out of reach, so the ASGI server the tests drive
(e2e/server.py) runs on SQLite and the in-memory channel layer, and Chromium gets the flags that
let two pages exchange fake camera video over loopback (see /work/shared/DESIGN.md).

Outside the namespace (the ordinary `pytest e2e` run) this directory collects nothing; run it with
`bash scripts/e2e-netns.sh` (as root), which fails under PEERHAVEN_REQUIRE_SERVICES=1 when it cannot
create the namespace."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _require_chromium

NETNS_ENV = "PEERHAVEN_E2E_NETNS"
INSIDE = bool(os.environ.get(NETNS_ENV))

# Media from Chromium's fake devices, permission prompts answered yes, and ICE candidates on
# loopback (without the last flag none is gathered and no peer connection forms).
WEBRTC_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
]

if not INSIDE:
    collect_ignore_glob = ["test_*.py"]
else:
    from playwright.sync_api import expect

    # Live frames cross a server and two browsers on a shared two-core machine: give assertions
    # on what arrives the same patience as the pages' own default timeout (e2e/conftest.py).
    expect.set_options(timeout=15_000)
    # The server subprocess inherits this environment: SQLite and the in-memory layer, whatever
    # the surrounding CI pass configured (its services are unreachable from here anyway).
    for _name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(_name, None)


def interfaces() -> list[str]:
    return sorted(name for _index, name in socket.if_nameindex())


@pytest.fixture(scope="session", autouse=True)
def _only_loopback() -> None:
    """These tests promise that nothing leaves the machine: check the namespace really is one."""
    found = interfaces()
    assert found == ["lo"], f"expected a network namespace with only lo, found interfaces {found}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *WEBRTC_ARGS])
        yield chromium
        chromium.close()
