"""Lock-out after repeated failed log-ins (django-axes behind allauth): per account and per IP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
LOCKED_TEXT = "Sign-in paused for a while"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # allauth's rate limits live in the cache, which outlives each test's transaction.
    cache.clear()
    yield
    cache.clear()


def _attempt(
    client: Client, email: str, password: str, *, ip: str = "203.0.113.7", agent: str = "browser-a"
) -> HttpResponse:
    return client.post(
        LOGIN_URL, {"login": email, "password": password}, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent
    )


def test_it_is_configured_for_five_failures_per_account_and_per_ip() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_HTTP_RESPONSE_CODE == 429
    assert ["username"] in settings.AXES_LOCKOUT_PARAMETERS
    assert any("ip_address" in group for group in settings.AXES_LOCKOUT_PARAMETERS)
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    # After authentication, so it sees the outcome of the log-in view it turns into a 429.
    middleware = settings.MIDDLEWARE
    assert middleware.index("axes.middleware.AxesMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


def test_it_answers_a_wrong_password_with_the_form_not_a_lockout() -> None:
    member = make_member()
    response = _attempt(Client(), member.email, "not the password")
    assert response.status_code == 200
    assert LOCKED_TEXT not in response.content.decode()


def test_it_locks_an_account_after_five_failures_with_a_kind_429() -> None:
    member = make_member()
    client = Client()
    statuses = [_attempt(client, member.email, "not the password").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]

    fifth = _attempt(client, member.email, "not the password")
    sixth = _attempt(client, member.email, "still not it")

    for response in (fifth, sixth):
        assert response.status_code == 429
        body = response.content.decode()
        assert LOCKED_TEXT in body
        assert reverse("account_reset_password") in body


def test_it_refuses_the_right_password_during_a_lockout() -> None:
    member = make_member()
    client = Client()
    for _ in range(5):
        _attempt(client, member.email, "not the password")

    response = _attempt(client, member.email, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_from_every_address() -> None:
    member = make_member()
    for index in range(5):
        _attempt(Client(), member.email, "not the password", ip=f"198.51.100.{index + 1}", agent=f"agent-{index}")

    # A fresh address and browser, with the right password, meets the same lock.
    response = _attempt(Client(), member.email.upper(), PASSWORD, ip="192.0.2.99", agent="elsewhere")

    assert response.status_code == 429


def test_it_locks_an_address_trying_many_accounts() -> None:
    members = [make_member() for _ in range(5)]
    for member in members:
        _attempt(Client(), member.email, "not the password", ip="203.0.113.50")

    newcomer = make_member(mfa=False)
    blocked = _attempt(Client(), newcomer.email, PASSWORD, ip="203.0.113.50")
    elsewhere = _attempt(Client(), newcomer.email, PASSWORD, ip="203.0.113.51")

    assert blocked.status_code == 429
    # The accounts themselves are not locked: each saw one failure only.
    assert elsewhere.status_code == 302


def test_it_counts_unknown_e_mails_like_known_ones() -> None:
    # Locking only real accounts would reveal which addresses exist.
    client = Client()
    for _ in range(5):
        last = _attempt(client, "nobody-here@example.org", "guess", ip="203.0.113.60", agent=f"{_}")
    assert last.status_code == 429


def test_it_lets_a_member_in_after_fewer_failures() -> None:
    member = make_member(mfa=False)  # with TOTP the password step would lead to the code step
    client = Client()
    for _ in range(3):
        _attempt(client, member.email, "not the password")

    response = _attempt(client, member.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_it_leaves_other_accounts_alone() -> None:
    # Guards the username lookup: allauth passes {"email": ...}, and an unresolved username
    # would put every account in one shared bucket.
    locked = make_member()
    other = make_member(mfa=False)
    for index in range(5):
        _attempt(Client(), locked.email, "not the password", ip=f"198.51.100.{index + 1}", agent=f"agent-{index}")

    response = _attempt(Client(), other.email, PASSWORD, ip="192.0.2.10", agent="own-browser")

    assert response.status_code == 302
