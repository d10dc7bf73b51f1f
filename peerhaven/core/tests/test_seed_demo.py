"""seed_demo builds a believable community once; demo_totp serves only the demo addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django.core.management import CommandError, call_command
from django.db.models import Count

from peerhaven.accounts.models import (
    Profile,
    Role,
    RoleGrant,
    TermsAcceptance,
    TermsVersion,
    User,
    VerificationStatus,
)
from peerhaven.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_totp_secret, is_demo_email
from peerhaven.core.management.commands.serve import demo_login_lines
from peerhaven.core.models import AuditEntry


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    # The verification app's demo seeder stores (encrypted) demo licence documents.
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path), "base_url": "/private-not-served/"},
    }}
    return tmp_path


def _snapshot() -> dict[str, Any]:
    return {
        "users": User.objects.count(),
        "profiles": list(Profile.objects.order_by("user__email").values_list(
            "user__email", "pseudonym", "profession", "country", "time_zone", "updated_at")),
        "roles": RoleGrant.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "emails": EmailAddress.objects.count(),
        "terms": TermsAcceptance.objects.count(),
        "audit": AuditEntry.objects.count(),
        "passwords": sorted(User.objects.values_list("password", flat=True)),
    }


@pytest.mark.django_db
def test_it_seeds_once_and_changes_nothing_the_second_time(private_media: Path, capsys: Any) -> None:
    TermsVersion.objects.create(version="2026-01", terms="Be kind.", guidelines="No client details.")

    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")

    assert _snapshot() == first
    assert "0 created, 0 restored, 43 unchanged" in capsys.readouterr().out
    assert TermsAcceptance.objects.count() == first["users"]


@pytest.mark.django_db
def test_it_builds_a_varied_community_with_the_role_mix(private_media: Path) -> None:
    call_command("seed_demo")

    demo = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    assert demo.count() >= 40
    profiles = Profile.objects.filter(user__in=demo)
    assert profiles.values("profession").distinct().count() >= 6
    assert profiles.values("country").distinct().count() >= 20
    assert profiles.values("time_zone").distinct().count() >= 20
    languages = {language for row in profiles.values_list("languages", flat=True) for language in row}
    assert len(languages) >= 20
    modalities = {modality for row in profiles.values_list("modalities", flat=True) for modality in row}
    assert {"EMDR", "CBT", "DBT", "ACT", "psychodynamic"} <= modalities
    roles = dict(RoleGrant.objects.values_list("role").annotate(n=Count("id")))
    # Three supporters come with the community; the T4T demo approves three more applicants
    # (approval grants the role), so the programme has six supporters to search among.
    assert roles == {Role.VERIFIER: 2, Role.MODERATOR: 2, Role.FACILITATOR: 2, Role.SUPPORTER: 6, Role.STAFF: 1}
    statuses = dict(demo.values_list("verification_status").annotate(n=Count("id")))
    # Staff, verifiers and members 01-28 verified; 29-36 wait for review; 37-40 just joined.
    assert statuses == {VerificationStatus.VERIFIED: 31, VerificationStatus.PENDING: 8, VerificationStatus.NONE: 4}


@pytest.mark.django_db
def test_it_makes_every_demo_account_usable_with_its_printed_factor(private_media: Path) -> None:
    call_command("seed_demo")

    for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}"):
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        assert decrypt(totp.data["secret"]) == demo_totp_secret(user.email)
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()


@pytest.mark.django_db
def test_it_refuses_to_seed_outside_development(settings: Any) -> None:
    settings.DEVELOPMENT = False

    with pytest.raises(CommandError, match="only in development"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


@pytest.mark.django_db
def test_it_restores_a_changed_authenticator(private_media: Path) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    call_command("seed_demo")
    user = User.objects.get(email=f"member01@{DEMO_DOMAIN}")
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, generate_totp_secret())

    call_command("seed_demo")

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert decrypt(totp.data["secret"]) == demo_totp_secret(user.email)


@pytest.mark.django_db
def test_it_prints_a_code_allauth_accepts(private_media: Path, capsys: Any) -> None:
    call_command("seed_demo")
    capsys.readouterr()

    call_command("demo_totp", f"verifier1@{DEMO_DOMAIN}")

    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    assert validate_totp_code(demo_totp_secret(f"verifier1@{DEMO_DOMAIN}"), code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["member01@example.org", f"member01@{DEMO_DOMAIN}.evil.example", f"@{DEMO_DOMAIN}", "not-an-address"],
)
def test_it_refuses_codes_for_non_demo_addresses(email: str) -> None:
    assert not is_demo_email(email)
    with pytest.raises(CommandError, match="Only demo accounts"):
        call_command("demo_totp", email)


@pytest.mark.django_db
def test_it_refuses_codes_for_unseeded_demo_addresses() -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_totp", f"member01@{DEMO_DOMAIN}")


@pytest.mark.django_db
def test_it_prints_how_to_log_in_with_the_second_factor(private_media: Path) -> None:
    assert "seed_demo" in "\n".join(demo_login_lines())
    call_command("seed_demo")

    text = "\n".join(demo_login_lines())

    assert DEMO_PASSWORD in text
    assert f"staff@{DEMO_DOMAIN}" in text and demo_totp_secret(f"staff@{DEMO_DOMAIN}") in text
    assert "manage.py demo_totp <email>" in text
    assert "passkey" in text
    assert text.count(f"@{DEMO_DOMAIN}") == User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()
