"""Deny by default for /api/v1, proven: every operation in the generated OpenAPI document ×
every member state (and a visitor) × session and token × owner / non-owner, plus each
operation's token scope. An operation without an expectation fails the test."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import STATES as MEMBER_STATES
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.api import api
from peerhaven.api.models import TokenScope
from peerhaven.api.tests.api_grid_rules import (
    SESSION,
    TOKEN,
    UNKNOWN_TOKEN,
    Operation,
    member_op,
    verified_op,
)
from peerhaven.api.tests.conftest import ALL_SCOPES, bearer_for
from peerhaven.core.tests.grid_rules import ANON, STATES


def _notification_of(owner: Any) -> dict[str, Any]:
    from peerhaven.notifications.kinds import KINDS
    from peerhaven.notifications.models import Notification

    notification = Notification.objects.create(user=owner, kind=next(iter(KINDS)))
    return {"notification_id": notification.pk}


def _meetup_of(owner: Any) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    from peerhaven.live.services import meetup_create

    start = timezone.now() + dt.timedelta(minutes=5)
    meetup = meetup_create(actor=owner, title="Grid circle", description="", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), capacity=50)
    return {"meetup_id": meetup.pk}


OPERATIONS = [
    Operation("get", "/api/v1/me", member_op(200), TokenScope.PROFILE_READ),
    Operation("patch", "/api/v1/me", member_op(200), TokenScope.PROFILE_WRITE, body={"pronouns": "they/them"}),
    Operation("get", "/api/v1/me/licence", member_op(200), TokenScope.VERIFICATION_READ),
    Operation("get", "/api/v1/notifications", member_op(200), TokenScope.NOTIFICATIONS_READ),
    Operation("post", "/api/v1/notifications/read-all", member_op(200), TokenScope.NOTIFICATIONS_WRITE),
    Operation(
        "post",
        "/api/v1/notifications/{notification_id}/read",
        member_op(404),
        TokenScope.NOTIFICATIONS_WRITE,
        make_path=_notification_of,
    ),
    Operation("get", "/api/v1/meetups", verified_op(200), TokenScope.LIVE_READ),
    Operation("get", "/api/v1/meetups/{meetup_id}", verified_op(200), TokenScope.LIVE_READ, make_path=_meetup_of),
    Operation("post", "/api/v1/meetups/{meetup_id}/registration", verified_op(200), TokenScope.LIVE_WRITE,
              make_path=_meetup_of),
    # A room's chat: its participants only (the host here); everyone else gets a 404.
    Operation("get", "/api/v1/meetups/{meetup_id}/messages", verified_op(404), TokenScope.LIVE_READ,
              make_path=_meetup_of),
]

# Each app with API operations of its own lists them in peerhaven/<app>/tests/api_grid.py.
for _config in apps.get_app_configs():
    if _config.name.startswith("peerhaven."):
        try:
            _module = importlib.import_module(f"{_config.name}.tests.api_grid")
        except ModuleNotFoundError as _exc:
            if _exc.name != f"{_config.name}.tests.api_grid":
                raise
            continue
        OPERATIONS += _module.OPERATIONS


def documented_operations() -> set[str]:
    schema = api.get_openapi_schema()
    methods = {"get", "put", "post", "patch", "delete"}
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in methods
    }


def test_it_describes_every_operation() -> None:
    described = {operation.key for operation in OPERATIONS}
    assert len(described) == len(OPERATIONS), "an operation is described twice"
    missing = sorted(documented_operations() - described)
    assert not missing, f"API operations with no permission-grid expectation: {missing}"
    stale = sorted(described - documented_operations())
    assert not stale, f"Grid expectations for operations that do not exist: {stale}"


def _call(client: Client, operation: Operation, path_kwargs: dict[str, Any], headers: dict[str, str]) -> int:
    url = operation.path.format(**path_kwargs)
    if operation.body is not None:
        response = getattr(client, operation.method)(
            url, operation.body, content_type="application/json", **headers
        )
    else:
        response = getattr(client, operation.method)(url, operation.query or None, **headers)
    return int(response.status_code)


def _caller(state: str, how: str, members: dict[str, Any]) -> tuple[Client, dict[str, str]]:
    if state == ANON:
        return Client(), (UNKNOWN_TOKEN if how == TOKEN else {})
    if state not in members:
        # Tokens are issued before a suspension, as they would be in life.
        spec = dict(MEMBER_STATES[state])
        suspended = spec.pop("suspended", False)
        user = make_member(**spec)
        headers = bearer_for(user, ALL_SCOPES)
        if suspended:
            from django.utils import timezone

            user.suspended_at = timezone.now()
            user.save(update_fields=["suspended_at"])
        members[state] = (user, headers)
    user, headers = members[state]
    if how == SESSION:
        return sign_in(Client(), user, passkey=state in {"verifier", "staff"}), {}
    return Client(), headers


@pytest.mark.django_db
def test_it_enforces_the_api_grid() -> None:
    members: dict[str, Any] = {}
    failures: list[str] = []
    for operation in OPERATIONS:
        for how in (SESSION, TOKEN):
            expect = operation.expect[how]
            missing = set(STATES) - set(expect)
            if missing:
                failures.append(f"{operation.key} ({how}): no expectation for {sorted(missing)}")
                continue
            owner = make_member(verified=True) if operation.make_path else None
            for state in STATES:
                client, headers = _caller(state, how, members)
                path_kwargs = operation.make_path(owner) if operation.make_path else {}
                status = _call(client, operation, path_kwargs, headers)
                if status != expect[state]:
                    failures.append(f"{operation.key} as {state} ({how}): expected {expect[state]}, got {status}")
            if operation.make_path is not None and owner is not None:
                client = sign_in(Client(), owner) if how == SESSION else Client()
                headers = {} if how == SESSION else bearer_for(owner, ALL_SCOPES)
                status = _call(client, operation, operation.make_path(owner), headers)
                if status != operation.owner_status:
                    failures.append(
                        f"{operation.key} as owner ({how}): expected {operation.owner_status}, got {status}"
                    )
    assert not failures, "API permission grid violations:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_it_enforces_each_operations_token_scope() -> None:
    failures: list[str] = []
    for operation in OPERATIONS:
        member = make_member(verified=True)
        path_kwargs = operation.make_path(member) if operation.make_path else {}
        without = [scope for scope in ALL_SCOPES if scope != operation.scope]
        status = _call(Client(), operation, path_kwargs, bearer_for(member, without))
        if status != 403:
            failures.append(f"{operation.key} without {operation.scope}: expected 403, got {status}")
        status = _call(Client(), operation, path_kwargs, bearer_for(member, [operation.scope]))
        if status != operation.owner_status:
            failures.append(f"{operation.key} with only {operation.scope}: expected {operation.owner_status}, got {status}")
    assert not failures, "Scope violations:\n" + "\n".join(failures)


_SCHEMA = member_op(200)
# The docs page is for people in a browser: walked to sign-in or the second-factor set-up as on
# the site; a tool presenting a bad token gets the same.
_DOCS_PAGE = {
    SESSION: {**_SCHEMA[SESSION], ANON: 302, "registered_no_mfa": 302},
    TOKEN: {**_SCHEMA[TOKEN], ANON: 302, "registered_no_mfa": 302, "suspended": 302},
}


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "expect"), [("/api/v1/openapi.json", _SCHEMA), ("/api/v1/docs", _DOCS_PAGE)])
def test_it_keeps_the_schema_and_docs_for_members(url: str, expect: dict[str, dict[str, int]]) -> None:
    members: dict[str, Any] = {}
    failures = []
    for how in (SESSION, TOKEN):
        for state in STATES:
            client, headers = _caller(state, how, members)
            status = client.get(url, **headers).status_code
            if status != expect[how][state]:
                failures.append(f"{url} as {state} ({how}): expected {expect[how][state]}, got {status}")
    assert not failures, "\n".join(failures)
