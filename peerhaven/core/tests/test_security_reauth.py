"""Re-authentication before sensitive account changes: e-mail and second-factor changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

NEW_EMAIL = "new-address@example.org"


def _member_without_mfa() -> User:
    # allauth refuses to add addresses to MFA-protected accounts outright, which would hide
    # whether re-authentication is asked for; the rule under test is the same for everyone.
    return make_member(verified=True, mfa=False)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _reauthenticate(client: Client, password: str = PASSWORD) -> int:
    return client.post("/accounts/reauthenticate/", {"password": password}).status_code


def test_it_asks_for_the_password_before_adding_an_e_mail_address() -> None:
    member = _member_without_mfa()
    client = sign_in(Client(), member)

    response = client.post("/accounts/email/", {"action_add": "", "email": NEW_EMAIL})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()


def test_it_adds_the_e_mail_address_after_re_authentication() -> None:
    member = _member_without_mfa()
    client = sign_in(Client(), member)
    assert _reauthenticate(client) == 302

    client.post("/accounts/email/", {"action_add": "", "email": NEW_EMAIL})

    assert EmailAddress.objects.filter(user=member, email=NEW_EMAIL).exists()


def test_it_refuses_a_wrong_password_at_re_authentication() -> None:
    member = _member_without_mfa()
    client = sign_in(Client(), member)

    assert _reauthenticate(client, "not the password") == 200
    client.post("/accounts/email/", {"action_add": "", "email": NEW_EMAIL})

    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()


@pytest.mark.parametrize(
    "path",
    ["/accounts/2fa/totp/deactivate/", "/accounts/2fa/webauthn/add/", "/accounts/2fa/recovery-codes/generate/"],
)
def test_it_asks_for_the_password_before_changing_the_second_factor(path: str) -> None:
    client = sign_in(Client(), make_member(verified=True))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_it_keeps_the_second_factor_when_deactivation_skips_re_authentication() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)

    client.post("/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
