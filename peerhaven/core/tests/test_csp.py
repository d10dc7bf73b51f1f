"""Content Security Policy without inline script: the header on every page, no inline
executable <script> in what we render, no inline styles or event handlers in our templates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

PEERHAVEN_DIR = Path(__file__).resolve().parents[2]

PUBLIC_PAGES = [
    "/",
    "/services/",
    "/contact/",
    "/privacy/",
    "/safety/crisis/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
]
# allauth's own pages that a signed-in member reaches (MFA set-up, management, re-auth).
MEMBER_MFA_PAGES = [
    "/accounts/2fa/",
    "/accounts/2fa/webauthn/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/2fa/totp/deactivate/",
    "/accounts/reauthenticate/",
    "/accounts/email/",
    "/accounts/password/change/",
]
NEWCOMER_MFA_PAGES = ["/accounts/2fa/totp/activate/"]
_NON_EXECUTABLE_SCRIPT_TYPES = {"application/json", "application/ld+json"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class _InlineScripts(HTMLParser):
    """Collects <script> tags that would execute without a src: what a CSP without
    'unsafe-inline' blocks, so a page relying on one is broken in production."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src"):
            if (named.get("type") or "").lower() not in _NON_EXECUTABLE_SCRIPT_TYPES:
                self.inline.append(self.get_starttag_text() or tag)
        for name, _value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}=…>")
        if any(name == "href" and (value or "").strip().lower().startswith("javascript:") for name, value in attrs):
            self.handlers.append(f"<{tag} href=javascript:…>")


def _directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def _assert_page_is_csp_clean(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    header = response.headers.get("Content-Security-Policy", "")
    directives = _directives(header)
    assert directives.get("script-src") == ["'self'"], f"{path}: {header}"
    assert directives.get("object-src") == ["'none'"], path
    assert directives.get("frame-ancestors") == ["'none'"], path
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, path
    parser = _InlineScripts()
    parser.feed(response.content.decode())
    assert parser.inline == [], f"{path} renders inline script: {parser.inline}"
    assert parser.handlers == [], f"{path} renders inline event handlers: {parser.handlers}"


def test_it_configures_a_policy_without_inline_script() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_serves_public_pages_under_the_policy(path: str) -> None:
    _assert_page_is_csp_clean(Client(), path)


def _reauthenticated(client: Client) -> Client:
    """MFA changes sit behind allauth's re-authentication: pass it as a member would."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.mark.parametrize("path", MEMBER_MFA_PAGES)
def test_it_serves_allauth_member_pages_under_the_policy(path: str) -> None:
    client = _reauthenticated(sign_in(Client(), make_member(verified=True)))
    _assert_page_is_csp_clean(client, path)


@pytest.mark.parametrize("path", NEWCOMER_MFA_PAGES)
def test_it_serves_mfa_enrolment_under_the_policy(path: str) -> None:
    client = _reauthenticated(sign_in(Client(), make_member(mfa=False)))
    _assert_page_is_csp_clean(client, path)


def test_it_serves_the_second_factor_step_of_log_in_under_the_policy() -> None:
    member = make_member()
    client = Client()
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    _assert_page_is_csp_clean(client, "/accounts/2fa/authenticate/")


def test_it_sends_the_other_security_headers() -> None:
    response = Client().get("/services/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def _our_templates() -> list[Path]:
    return sorted(p for p in PEERHAVEN_DIR.rglob("templates/**/*.html") if ".venv" not in p.parts)


def test_it_finds_our_templates() -> None:
    names = {p.name for p in _our_templates()}
    assert {"base.html", "services.html", "locked_out.html"} <= names


@pytest.mark.parametrize("template", _our_templates(), ids=lambda p: str(p.relative_to(PEERHAVEN_DIR)))
def test_it_keeps_inline_script_style_and_handlers_out_of_our_templates(template: Path) -> None:
    source = template.read_text()
    # Template tags can hide a src (<script src="{% static ... %}">); strip them before parsing.
    html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "X", source, flags=re.S)
    parser = _InlineScripts()
    parser.feed(html)
    assert parser.inline == [], f"inline <script>: {parser.inline}"
    assert parser.handlers == [], f"inline event handlers: {parser.handlers}"
    assert not re.search(r"\sstyle\s*=", source, flags=re.I), "style=\"\" attribute (CSP style-src 'self')"
    assert "<style" not in source.lower(), "<style> element (CSP style-src 'self')"


def test_it_detects_what_the_policy_would_block() -> None:
    parser = _InlineScripts()
    parser.feed(
        '<script src="/static/js/app.js"></script><script type="application/json">{}</script>'
        "<script>alert(1)</script><button onclick=\"go()\">Go</button><a href=\"javascript:go()\">x</a>"
    )
    assert parser.inline == ["<script>"]
    assert parser.handlers == ["<button onclick=…>", "<a href=javascript:…>"]
