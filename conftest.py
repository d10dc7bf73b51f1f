"""Shared pytest fixtures: members in each state, clients signed in as them, service checks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from peerhaven.accounts.models import User

REQUIRE_SERVICES = os.environ.get("PEERHAVEN_REQUIRE_SERVICES") == "1"


def need_service(reason: str) -> None:
    """Skip for want of a service, or fail when CI says every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"PEERHAVEN_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def need_postgres(reason: str) -> None:
    """Skip on SQLite: the one accepted skip (row locks, real concurrency), because CI runs the
    same test again on PostgreSQL. It still fails when PostgreSQL was asked for and is not in use."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if REQUIRE_SERVICES and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail(f"PEERHAVEN_REQUIRE_SERVICES=1 and DATABASE_URL names PostgreSQL, but {reason}")
    pytest.skip(f"needs PostgreSQL: {reason}")


def sign_in(client: Client, user: User, *, passkey: bool = False) -> Client:
    """Sign `user` in as allauth would, recording a passkey step when asked for."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    now = time.time()
    session["peerhaven_login_at"] = now
    session["peerhaven_last_seen"] = now
    records: list[dict[str, Any]] = [{"method": "password", "at": now, "email": user.email}]
    if passkey:
        from peerhaven.accounts.tests.factories import add_passkey_record

        authenticator = add_passkey_record(user)
        records.append({"method": "mfa", "at": now, "id": authenticator.pk, "type": "webauthn"})
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


# Data the product ships through data migrations. A transactional test flushes every table when
# it ends, which would leave later tests in the same worker without it; each database test gets
# it back here, exactly as the migrations write it (their seed functions are idempotent).
_SHIPPED_DATA_MIGRATIONS = (
    "peerhaven.accounts.migrations.0003_seed_first_terms",
    "peerhaven.safety.migrations.0003_seed_crisis_resources",
)
_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Each test starts in English with an empty content-type cache and no cached instance
    settings: a test that leaves a language active, a flush that drops content types another test
    cached by id, or instance settings cached (for a minute) by an earlier test, from its own
    override of the environment, must not decide how a later test in the same worker behaves."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    from peerhaven.sitesettings.selectors import forget_cached_settings

    ContentType.objects.clear_cache()
    forget_cached_settings()
    translation.deactivate()
    yield
    translation.deactivate()
    forget_cached_settings()
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _shipped_data(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") is None and not _DB_FIXTURES & set(request.fixturenames):
        return
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)  # database access opens before the seeding below
            break
    import importlib

    from django.apps import apps

    for module_name in _SHIPPED_DATA_MIGRATIONS:
        importlib.import_module(module_name).seed(apps, None)


@pytest.fixture
def member_factory(db: Any) -> Callable[..., User]:
    from peerhaven.accounts.tests.factories import make_member

    return make_member


@pytest.fixture
def client_for(db: Any) -> Callable[..., Client]:
    def _client_for(user: User, *, passkey: bool = False) -> Client:
        return sign_in(Client(), user, passkey=passkey)

    return _client_for


@pytest.fixture
def verified_member(member_factory: Callable[..., User]) -> User:
    return member_factory(verified=True)


@pytest.fixture
def verified_client(client_for: Callable[..., Client], verified_member: User) -> Client:
    return client_for(verified_member)


def _register_hypothesis_profiles() -> None:
    from hypothesis import HealthCheck, settings

    settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", max_examples=50, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_register_hypothesis_profiles()
