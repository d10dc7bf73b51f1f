"""Browser-test fixtures: one real ASGI server per xdist worker (its own database), one Chromium
per worker, and a fresh browser context per person in a journey, at desktop or phone size.

These tests never touch pytest-django's test database: they see the server only through the
browser, and prepare what a browser cannot through e2e/fixtures_cli.py."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.browsing import AXE_SOURCE, CheckedBrowsing
from e2e.server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}

_SERVER_KEY = pytest.StashKey[LiveServer]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    server = item.config.stash.get(_SERVER_KEY, None)
    if report.failed and server is not None:
        report.sections.append(("e2e server log (tail)", server.log_tail()))


def _require_chromium() -> None:
    if CHROMIUM.exists() or shutil.which("chromium"):
        return
    reason = "Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)"
    if os.environ.get("PEERHAVEN_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PEERHAVEN_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API runs an event loop in this thread; Django's async-safety guard would
    otherwise refuse any ORM call made in the same process. Set per browser test, not at import:
    this conftest is imported by every xdist worker, and the variable must not leak into other
    tests' subprocesses (`check --deploy` rightly fails on it)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def e2e_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    server = LiveServer(workdir=tmp_path_factory.mktemp(f"e2e-{worker}"), worker=worker)
    request.config.stash[_SERVER_KEY] = server
    try:
        server.start()
        server.run_script("terms")
        yield server
    finally:
        server.stop()
        del request.config.stash[_SERVER_KEY]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_browsing(browser: Any, e2e_server: LiveServer) -> Iterator[Callable[[str], CheckedBrowsing]]:
    """`open_browsing("desktop")` gives a new person (own context, own cookies) with one page."""
    opened: list[tuple[Any, CheckedBrowsing]] = []

    def _open(viewport: str) -> CheckedBrowsing:
        context = browser.new_context(base_url=e2e_server.url, locale="en-GB", **VIEWPORTS[viewport])
        context.set_default_timeout(15_000)
        # axe is loaded into every document up front (outside the page's CSP, like DevTools)
        # rather than pushed over the protocol after each navigation: half the cost per page.
        context.add_init_script(script=AXE_SOURCE)
        browsing = CheckedBrowsing(page=context.new_page(), base_url=e2e_server.url)
        opened.append((context, browsing))
        return browsing

    yield _open
    try:
        for _context, browsing in opened:
            browsing.assert_everything_checked()
    finally:
        for context, _browsing in opened:
            context.close()
