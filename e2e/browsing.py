"""Browsing with checks built in: every page a test lands on is run through axe (no serious or
critical violation) and watched for CSP violations, and a test cannot end with a page loaded
that was never checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page

_AXE = Axe()
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
_CSP_MESSAGE = re.compile(r"Content Security Policy|Content-Security-Policy", re.IGNORECASE)


AXE_SOURCE: str = _AXE.axe_script


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now. Contexts preload axe
    with an init script (see conftest); a page without it gets it injected here."""
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(AXE_SOURCE)
    results = page.evaluate("options => axe.run(document, options)", {"resultTypes": ["violations"]})
    return [violation for violation in results["violations"] if violation.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any axe violation with impact "serious" or "critical", listing them all."""
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {page.url}:\n{describe_violations(violations)}"


@dataclass
class CheckedBrowsing:
    """Wraps one page. Use `goto()` to open a URL and `act()` around anything that may navigate
    (a click, a form submission); both run axe on where the page ends up."""

    page: Page
    base_url: str
    checked_urls: list[str] = field(default_factory=list)
    loaded_urls: list[str] = field(default_factory=list)
    csp_messages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("load", self._on_load)
        self.page.on("console", self._on_console)

    def _on_load(self, page: Page) -> None:
        self.loaded_urls.append(page.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} and _CSP_MESSAGE.search(message.text):
            self.csp_messages.append(f"{self.page.url}: {message.text}")

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def goto(self, path: str) -> Page:
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 500, f"GET {path} answered {response and response.status}"
        self.check()
        return self.page

    def act(self, action: Callable[[], Any], *, expect_path: str | re.Pattern[str] | None = None) -> Page:
        """Do something that navigates (submit, follow a link) and check the page it lands on."""
        with self.page.expect_navigation() as navigation:
            action()
        response = navigation.value
        assert response is None or response.status < 500, (
            f"{response.request.method} led to {self.page.url}, which answered {response.status}"
        )
        if expect_path is not None:
            self.expect_path(expect_path)
        self.check()
        return self.page

    def expect_path(self, expected: str | re.Pattern[str]) -> None:
        path = self.page.url.removeprefix(self.base_url)
        if isinstance(expected, str):
            assert path.split("?")[0] == expected, f"expected to be at {expected}, at {path}"
        else:
            assert expected.search(path), f"expected a path like {expected.pattern}, at {path}"

    def check(self) -> None:
        """axe and CSP on the current page."""
        assert_accessible(self.page)
        assert not self.csp_messages, "CSP violations:\n" + "\n".join(self.csp_messages)
        self.checked_urls.append(self.page.url)

    def assert_everything_checked(self) -> None:
        unchecked = [url for url in self.loaded_urls if url not in self.checked_urls]
        assert not unchecked, f"pages loaded but never checked with axe: {unchecked}"
        assert not self.csp_messages, "CSP violations:\n" + "\n".join(self.csp_messages)
