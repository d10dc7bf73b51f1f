"""Sensitive account changes need a recent re-authentication (DESIGN: security baseline):
our export and erasure, and allauth's e-mail management and TOTP deactivation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.models import User
from peerhaven.accounts.tests.reauth import reauthenticate, reauthenticate_through_allauth

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
STALE = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
FRESH = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 30

SENSITIVE_POSTS: dict[str, tuple[str, dict[str, str]]] = {
    "export": ("accounts:export", {}),
    "erase": ("accounts:erase", {"posts": "remove", "confirmation": "delete my account"}),
    "email_make_primary": ("account_email", {"action_primary": "", "email": "second@example.org"}),
    "email_remove": ("account_email", {"action_remove": "", "email": "second@example.org"}),
    "totp_deactivate": ("mfa_deactivate_totp", {}),
}


def _with_second_address(user: User) -> User:
    # Adding an address is refused outright while MFA is on (allauth's MFA_ALLOW_UNVERIFIED_EMAIL),
    # so the e-mail changes a member can make are switching the primary and removing one.
    EmailAddress.objects.create(user=user, email="second@example.org", verified=True, primary=False)
    return user


def _assert_sent_to_reauthenticate(response: object, url: str) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    location = response["Location"]  # type: ignore[index]
    assert location.startswith("/accounts/reauthenticate/")
    assert f"next={url.replace('/', '%2F')}" in location


@pytest.mark.parametrize("case", sorted(SENSITIVE_POSTS))
def test_it_asks_for_the_password_again_when_the_last_authentication_is_stale(
    case: str, member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    name, data = SENSITIVE_POSTS[case]
    user = _with_second_address(member_factory(verified=True))
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(user)
        reauthenticate(client)
        traveller.shift(STALE)
        url = reverse(name)
        response = client.post(url, data)
    _assert_sent_to_reauthenticate(response, url)
    user.refresh_from_db()
    assert User.objects.filter(pk=user.pk).exists()
    assert EmailAddress.objects.get(user=user, email="second@example.org").primary is False
    assert EmailAddress.objects.get(user=user, email=user.email).primary is True
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.parametrize("case", sorted(SENSITIVE_POSTS))
def test_it_asks_for_the_password_when_the_session_never_reauthenticated(
    case: str, member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    name, data = SENSITIVE_POSTS[case]
    client = client_for(_with_second_address(member_factory(verified=True)))
    url = reverse(name)
    _assert_sent_to_reauthenticate(client.post(url, data), url)


def test_it_lets_a_recently_reauthenticated_member_switch_their_primary_email(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = _with_second_address(member_factory(verified=True))
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(user)
        reauthenticate(client)
        traveller.shift(FRESH)
        response = client.post(reverse("account_email"), SENSITIVE_POSTS["email_make_primary"][1])
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email")
    user.refresh_from_db()
    assert user.email == "second@example.org"


def test_it_lets_a_recently_reauthenticated_member_remove_an_email(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = _with_second_address(member_factory(verified=True))
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(user)
        reauthenticate(client)
        traveller.shift(FRESH)
        response = client.post(reverse("account_email"), SENSITIVE_POSTS["email_remove"][1])
    assert response.status_code == 302
    assert not EmailAddress.objects.filter(email="second@example.org").exists()


def test_it_lets_a_recently_reauthenticated_member_deactivate_totp(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = member_factory(verified=True)
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(user)
        reauthenticate(client)
        traveller.shift(FRESH)
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not response["Location"].startswith("/accounts/reauthenticate/")
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_it_shows_the_export_and_erasure_explanations_without_reauthentication(
    verified_client: Client,
) -> None:
    assert verified_client.get(reverse("accounts:export")).status_code == 200
    assert verified_client.get(reverse("accounts:erase")).status_code == 200


def test_it_resumes_the_export_after_the_password_is_given_again(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    client = client_for(member_factory(verified=True))
    url = reverse("accounts:export")
    _assert_sent_to_reauthenticate(client.post(url), url)
    response = reauthenticate_through_allauth(client, next_url=url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
