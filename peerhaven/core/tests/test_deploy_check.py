"""Production settings pass `check --deploy`; a bad environment value stops start-up with a
message naming the variable (and never echoing a secret)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[3]


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    # Start from the parent's environment without any PEERHAVEN_* value a developer or CI set,
    # so the child sees exactly a production configuration.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEERHAVEN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "PEERHAVEN_DEBUG": "0",
            "PEERHAVEN_TESTING": "0",
            "PEERHAVEN_SECRET_KEY": secrets.token_urlsafe(48),
            "PEERHAVEN_FIELD_KEYS": Fernet.generate_key().decode(),
            "PEERHAVEN_ALLOWED_HOSTS": "peerhaven.example.org",
            "PEERHAVEN_SITE_URL": "https://peerhaven.example.org",
            "PEERHAVEN_VAR_DIR": str(tmp_path / "var"),
            # A shared cache is part of production: rate limits and lock-outs hold across processes.
            # `check` only inspects the configuration; nothing connects to it.
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": "postgresql://peerhaven@127.0.0.1:5432/peerhaven",
        }
    )
    env.update(overrides)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deploy_check_with_production_settings(tmp_path: Path) -> None:
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_turns_on_secure_cookies_and_hsts_in_production(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_HTTPONLY, s.PASSWORD_HASHERS[0])"
    )
    result = _manage(_production_env(tmp_path), "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    # The last line: Django's shell may first report what it imported automatically.
    assert result.stdout.strip().splitlines()[-1].split() == [
        "False", "True", "True", "True", "True", "True", "True",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PEERHAVEN_DEBUG", "maybe", "PEERHAVEN_DEBUG must be a boolean"),
        ("PEERHAVEN_SECRET_KEY", "too-short", "PEERHAVEN_SECRET_KEY must be at least 32 characters"),
        ("PEERHAVEN_SECRET_KEY", "", "PEERHAVEN_SECRET_KEY is not set"),
        ("PEERHAVEN_FIELD_KEYS", "not-a-fernet-key", "PEERHAVEN_FIELD_KEYS holds a value that is not a Fernet key"),
        ("PEERHAVEN_FIELD_KEYS", "", "PEERHAVEN_FIELD_KEYS is not set"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL is not a database URL"),
        ("DATABASE_URL", "mysql://user@db/peerhaven", "DATABASE_URL must point at SQLite or PostgreSQL"),
        ("PEERHAVEN_ALLOWED_HOSTS", "", "PEERHAVEN_ALLOWED_HOSTS must name the host"),
        ("PEERHAVEN_SITE_URL", "peerhaven.example.org", "PEERHAVEN_SITE_URL must be an http(s) URL"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL must be a redis://"),
        ("PEERHAVEN_IDLE_TIMEOUT", "half an hour", "PEERHAVEN_IDLE_TIMEOUT must be an integer"),
    ],
)
def test_it_stops_start_up_on_a_bad_value(tmp_path: Path, variable: str, value: str, message: str) -> None:
    result = _manage(_production_env(tmp_path, **{variable: value}), "check")
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "http://:hunter2-secret-canary@cache:6379"),
        ("EMAIL_URL", "bogus://mailer:hunter2-secret-canary@smtp.example.org:587"),
    ],
)
def test_it_does_not_echo_a_password_in_a_bad_url(tmp_path: Path, variable: str, value: str) -> None:
    result = _manage(_production_env(tmp_path, **{variable: value}), "check")
    assert result.returncode != 0
    assert variable in result.stderr
    assert "hunter2-secret-canary" not in result.stdout + result.stderr
