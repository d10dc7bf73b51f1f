"""Passwords are hashed with Argon2 outside the test run (tests put MD5 first for speed)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from peerhaven.accounts.models import User

PRODUCTION_HASHERS = [name for name in settings.PASSWORD_HASHERS if not name.endswith("MD5PasswordHasher")]


def test_it_lists_argon2_first_outside_tests() -> None:
    assert PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert all("MD5" not in name and "SHA1" not in name for name in PRODUCTION_HASHERS)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_it_hashes_new_passwords_with_argon2() -> None:
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("wrong", encoded)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_it_stores_a_member_password_as_argon2() -> None:
    user = User.objects.create_user("argon@example.org", "a long passphrase indeed")
    assert identify_hasher(user.password).algorithm == "argon2"


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_it_upgrades_an_older_hash_at_log_in() -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        user = User.objects.create_user("legacy@example.org", "a long passphrase indeed")
    assert user.password.startswith("pbkdf2_sha256$")

    assert user.check_password("a long passphrase indeed")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
