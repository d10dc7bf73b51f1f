"""No account enumeration: sign-up, log-in and password reset answer alike for known and
unknown e-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client

from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unusual passphrase 42"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _normalised(response: HttpResponse, email: str) -> str:
    """The page with what legitimately differs removed: the CSRF token and the echoed address."""
    body = response.content.decode()
    body = _CSRF.sub('name="csrfmiddlewaretoken" value=""', body)
    return body.replace(email, "EMAIL")


def _answer(client: Client, path: str, data: dict[str, str]) -> tuple[int, str, str]:
    response = client.post(path, data)
    location = response.headers.get("Location", "")
    followed = client.get(location) if location else response
    email = data.get("email") or data.get("login", "")
    return response.status_code, location, _normalised(followed, email)


def test_it_answers_sign_up_alike_for_known_and_new_addresses() -> None:
    known = make_member()
    new_email = "someone-new@example.org"

    known_answer = _answer(
        Client(), "/accounts/signup/", {"email": known.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    new_answer = _answer(
        Client(), "/accounts/signup/", {"email": new_email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert known_answer[0] == new_answer[0] == 302
    assert known_answer[1] == new_answer[1]
    assert known_answer[2] == new_answer[2]
    # Both addresses received a mail, so the inbox does not tell either; only one account exists.
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([known.email, new_email])
    assert User.objects.filter(email__iexact=known.email).count() == 1


def test_it_answers_password_reset_alike_for_known_and_unknown_addresses() -> None:
    known = make_member()

    known_answer = _answer(Client(), "/accounts/password/reset/", {"email": known.email})
    unknown_answer = _answer(Client(), "/accounts/password/reset/", {"email": "nobody@example.org"})

    assert known_answer[0] == unknown_answer[0] == 302
    assert known_answer[1] == unknown_answer[1]
    assert known_answer[2] == unknown_answer[2]


def test_it_answers_a_failed_log_in_alike_for_unknown_address_and_wrong_password() -> None:
    known = make_member()

    wrong_password = _answer(Client(), "/accounts/login/", {"login": known.email, "password": "not it at all"})
    unknown_address = _answer(Client(), "/accounts/login/", {"login": "nobody@example.org", "password": "not it at all"})

    assert wrong_password[0] == unknown_address[0] == 200
    assert wrong_password[2] == unknown_address[2]
    assert "not correct" in wrong_password[2]
