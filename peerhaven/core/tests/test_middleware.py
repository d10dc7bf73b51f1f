"""Session lifetimes: idle log-off after 30 minutes, an absolute limit of 12 hours."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT, session_is_live

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
# The cheapest page there is: the lifetime rules run before any view, for every path.
PAGE = "/hello"


def _signed_in() -> Client:
    return sign_in(Client(), make_member(verified=True))


def _is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_it_uses_thirty_minutes_idle_and_twelve_hours_absolute() -> None:
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 60 * 60


def test_it_keeps_a_member_signed_in_within_the_idle_limit() -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in()
        clock.shift(dt.timedelta(minutes=29))

        response = client.get(PAGE)

        # Inside the travel: the stored session expires 12 h after START, long before today.
        assert response.status_code == 200
        assert _is_signed_in(client)


def test_it_signs_out_a_member_idle_for_thirty_one_minutes() -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in()
        clock.shift(dt.timedelta(minutes=31))

        assert _is_signed_in(client)
        response = client.get(PAGE)

        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(PAGE, safe='')}"
        assert not _is_signed_in(client)
        login_page = client.get(response["Location"]).content.decode()
        assert "You were signed out to keep your account safe" in login_page
        # And it stays ended: the next request is anonymous, not a revived session.
        assert client.get(PAGE).wsgi_request.user.is_anonymous


def test_it_ends_an_active_session_after_twelve_hours() -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in()
        # Activity every 20 minutes for 11 h 40 min keeps the session going...
        for _ in range(35):
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(PAGE).status_code == 200
            assert _is_signed_in(client)
        # ...20 more minutes of activity passes the 12-hour mark: the session ends.
        clock.shift(dt.timedelta(minutes=21))
        assert _is_signed_in(client)

        response = client.get(PAGE)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not _is_signed_in(client)


def test_it_answers_the_api_with_401_when_the_session_ended() -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in()
        clock.shift(dt.timedelta(minutes=31))

        response = client.get("/api/v1/any-endpoint")

        assert response.status_code == 401
        assert response.json() == {"detail": "Your session has ended. Please sign in again."}
        assert not _is_signed_in(client)


def test_it_applies_the_same_rules_to_websocket_sessions() -> None:
    with time_machine.travel(START, tick=False) as clock:
        now = START.timestamp()
        fresh = {SESSION_LOGIN_AT: now, SESSION_LAST_SEEN: now}
        assert session_is_live(fresh)
        assert not session_is_live({})  # a session without a recorded log-in is never live

        clock.shift(dt.timedelta(minutes=31))
        assert not session_is_live(fresh)

        clock.shift(dt.timedelta(hours=12))
        recently_seen = {SESSION_LOGIN_AT: now, SESSION_LAST_SEEN: now + 12 * 3600 + 60}
        assert not session_is_live(recently_seen)
