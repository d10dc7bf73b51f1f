"""The pages a visitor can open without an account: accessible at both sizes, under a strict
Content Security Policy that the pages themselves never trip."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from e2e.browsing import CheckedBrowsing

PUBLIC_PAGES = [
    "core:services",
    "core:privacy",
    "safety:crisis",
    "account_login",
    "account_signup",
    "account_reset_password",
]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_serves_every_public_page_accessibly(
    open_browsing: Callable[[str], CheckedBrowsing], viewport: str
) -> None:
    visitor = open_browsing(viewport)
    for name in PUBLIC_PAGES:
        page = visitor.goto(reverse(name))
        # Crisis resources are one click away on every page (DESIGN: "Safe").
        assert page.get_by_role("link", name="Crisis resources").first.is_visible()
        assert page.get_by_role("main").count() == 1
        assert page.get_by_role("heading", level=1).count() >= 1


def test_it_sends_a_strict_csp_and_the_pages_never_violate_it(
    open_browsing: Callable[[str], CheckedBrowsing],
) -> None:
    visitor = open_browsing("desktop")
    console_errors: list[str] = []
    visitor.page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    for name in PUBLIC_PAGES:
        response = visitor.page.goto(visitor.url(reverse(name)))
        assert response is not None and response.ok, f"{name} answered {response and response.status}"
        policy = response.headers.get("content-security-policy", "")
        directives = {part.strip().split(" ")[0]: part.strip() for part in policy.split(";") if part.strip()}
        assert "script-src" in directives, f"{name}: no script-src in CSP {policy!r}"
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in directives["script-src"]
        assert "frame-ancestors 'none'" in policy
        visitor.check()
    csp_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert csp_errors == [], "CSP violations reported by Chromium:\n" + "\n".join(csp_errors)
    assert console_errors == [], "console errors:\n" + "\n".join(console_errors)
