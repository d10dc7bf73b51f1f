"""Deny by default, proven: every URL pattern × every role and state (× owner / non-owner for
object routes). A route with no expectation fails the test."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import STATES as MEMBER_STATES
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.tests.grid_rules import ANON, STATES, Route

# Library routes covered by rules rather than by per-route expectations.
_LIBRARY_NAMESPACES = {"admin", "api-v1"}  # admin: superusers only; API: its own grid (api app)


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), prefix + str(entry.pattern)


def all_routes() -> dict[str, str]:
    routes = {}
    for name, pattern in _walk(get_resolver()):
        if name.split(":")[0] in _LIBRARY_NAMESPACES:
            continue
        if pattern.startswith("accounts/"):
            continue  # allauth's own views: covered by test_allauth_routes_follow_the_gate
        routes[name] = pattern
    return routes


def described_routes() -> dict[str, Route]:
    described: dict[str, Route] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("peerhaven."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.grid")
        except ModuleNotFoundError:
            continue
        for route in getattr(module, "ROUTES", []):
            assert route.name not in described, f"{route.name} is described twice"
            described[route.name] = route
    return described


def test_it_describes_every_route() -> None:
    missing = sorted(set(all_routes()) - set(described_routes()))
    assert not missing, f"Routes with no permission-grid expectation: {missing}"
    stale = sorted(set(described_routes()) - set(all_routes()))
    assert not stale, f"Grid expectations for routes that do not exist: {stale}"


def _client(state: str, cache: dict[str, Any]) -> tuple[Client, Any]:
    if state == ANON:
        return Client(), None
    if state not in cache:
        user = make_member(**MEMBER_STATES[state])
        cache[state] = user
    user = cache[state]
    return sign_in(Client(), user, passkey=state in {"verifier", "staff"}), user


def _request(client: Client, route: Route, kwargs: dict[str, Any]) -> int:
    url = reverse(route.name, kwargs=kwargs or None)
    response = getattr(client, route.method)(url, data=route.data or None)
    return int(response.status_code)


def _app_of(route_name: str) -> str:
    return route_name.split(":", 1)[0] if ":" in route_name else "(root)"


def _grid_apps() -> list[str]:
    return sorted({_app_of(name) for name in described_routes()})


@pytest.mark.django_db
@pytest.mark.parametrize("app", _grid_apps())
def test_it_enforces_the_grid(app: str) -> None:
    # One pass over an app's routes with one member per state (created once per app: building
    # eleven members per route made the grid the slowest test in the suite); one test per app
    # keeps each well inside the per-test timeout. Every failure is listed.
    users: dict[str, Any] = {}
    failures: list[str] = []
    for route_name, route in sorted(described_routes().items()):
        if _app_of(route_name) != app:
            continue
        missing_states = set(STATES) - set(route.expect)
        if missing_states:
            failures.append(f"{route_name}: no expectation for {sorted(missing_states)}")
            continue
        owner = make_member(verified=True) if route.make_kwargs else None
        for state in STATES:
            client, _user = _client(state, users)
            kwargs = route.make_kwargs(owner) if route.make_kwargs else {}
            status = _request(client, route, kwargs)
            if status != route.expect[state]:
                failures.append(f"{route_name} as {state}: expected {route.expect[state]}, got {status}")
        if route.make_kwargs is not None and owner is not None:
            expected_owner = route.owner_status if route.owner_status is not None else 200
            status = _request(sign_in(Client(), owner), route, route.make_kwargs(owner))
            if status != expected_owner:
                failures.append(f"{route_name} as owner: expected {expected_owner}, got {status}")
    assert not failures, "Permission grid violations:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_it_keeps_staff_tools_behind_a_passkey_session() -> None:
    staff = make_member(verified=True, roles=("staff",))
    response = sign_in(Client(), staff).get(reverse("core:audit_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:passkey_required"))


@pytest.mark.django_db
def test_it_sends_allauth_pages_through_the_same_gate() -> None:
    # allauth's account pages: public for visitors (log-in, sign-up, reset) and gated for the
    # rest by LoginRequiredMiddleware, which allauth's views declare themselves against.
    anon = Client()
    for name in ("account_login", "account_signup", "account_reset_password"):
        assert anon.get(reverse(name)).status_code == 200
    for name in ("account_email", "mfa_index", "account_change_password"):
        response = anon.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_it_keeps_the_django_admin_for_superusers_only() -> None:
    staff = make_member(verified=True, roles=("staff",))
    response = sign_in(Client(), staff, passkey=True).get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]
