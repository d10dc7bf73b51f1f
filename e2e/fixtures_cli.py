"""Test data the browser journeys cannot create through the browser themselves (a verifier is
appointed by staff, terms are published by staff), written through the project's services
against the e2e server's database. Run by e2e/server.py with the server's environment:

    python e2e/fixtures_cli.py terms
    python e2e/fixtures_cli.py verifier EMAIL PASSWORD TOTP_SECRET
    python e2e/fixtures_cli.py staff EMAIL PASSWORD TOTP_SECRET DISPLAY_NAME
    python e2e/fixtures_cli.py member EMAIL PASSWORD TOTP_SECRET PSEUDONYM   (a verified member)
    python e2e/fixtures_cli.py open-signup STAFF_EMAIL   (the default membership policy again)
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from peerhaven.accounts.models import Role, TermsVersion, User  # noqa: E402
from peerhaven.accounts.selectors import current_terms  # noqa: E402
from peerhaven.accounts.services import profile_ensure, profile_update, role_grant, terms_accept  # noqa: E402

FIXTURE_VERIFIER = "fixture-verifier@example.org"


def publish_terms() -> TermsVersion:
    """Staff publish terms through the admin; the journey needs one version to accept."""
    terms, _created = TermsVersion.objects.get_or_create(
        version="e2e-1",
        defaults={
            "terms": "Peer support is not therapy. Keep what you hear here confidential.",
            "guidelines": "Be kind. No client-identifying information, ever.",
        },
    )
    return current_terms() or terms


def create_verifier(email: str, password: str, totp_secret: str) -> User:
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        profile_ensure(user=user)
        role_grant(actor=None, user=user, role=Role.VERIFIER)
        TOTP.activate(user, totp_secret)
        terms_accept(actor=user, terms_version=publish_terms())
    return user


def create_staff(email: str, password: str, totp_secret: str, display_name: str) -> User:
    """A staff member (appointed by two staff in real life; here directly) with a name that
    must never appear in what the staff console sends out."""
    with transaction.atomic():
        user = _secured_account(email, password, totp_secret)
        profile_update(actor=user, display_name=display_name)
        role_grant(actor=None, user=user, role=Role.STAFF)
    return user


def _secured_account(email: str, password: str, totp_secret: str) -> User:
    """A confirmed address, an authenticator app and the current terms accepted."""
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile_ensure(user=user)
    TOTP.activate(user, totp_secret)
    terms_accept(actor=user, terms_version=publish_terms())
    return user


def create_verified_member(email: str, password: str, totp_secret: str, pseudonym: str) -> User:
    """A member whose licence a (fixture) verifier approved, through the verification services."""
    import base64
    import datetime as dt
    import secrets

    from peerhaven.verification.models import LicenceType
    from peerhaven.verification.services import licence_approve, licence_submit

    with transaction.atomic():
        verifier = User.objects.filter(email=FIXTURE_VERIFIER).first() or create_verifier(
            FIXTURE_VERIFIER, secrets.token_urlsafe(24), base64.b32encode(secrets.token_bytes(20)).decode("ascii")
        )
        user = _secured_account(email, password, totp_secret)
        profile_update(actor=user, pseudonym=pseudonym)
        submission = licence_submit(
            actor=user, licence_type=LicenceType.COUNSELLOR, number=f"LPC-{secrets.token_hex(3).upper()}",
            jurisdiction="Oregon", expires_on=timezone.localdate() + dt.timedelta(days=400),
        )
        licence_approve(actor=verifier, submission=submission)
    return user


def open_signup(staff_email: str) -> None:
    """Back to the default policy (anyone may sign up, invitations too), as staff would set it."""
    from peerhaven.staff.services import membership_policy_update

    actor = User.objects.get(email=staff_email)
    membership_policy_update(actor=actor, open_signup=True, invitations=True, allowed_domains=[])


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "terms":
        print(publish_terms().version)
    elif command == "verifier":
        email, password, totp_secret = args
        print(create_verifier(email, password, totp_secret).pk)
    elif command == "staff":
        email, password, totp_secret, display_name = args
        print(create_staff(email, password, totp_secret, display_name).pk)
    elif command == "member":
        email, password, totp_secret, pseudonym = args
        print(create_verified_member(email, password, totp_secret, pseudonym).pk)
    elif command == "open-signup":
        (staff_email,) = args
        open_signup(staff_email)
    elif ":" in command:
        # An app's own test data: "support:create_supporter a b" runs create_supporter("a", "b")
        # from e2e/fixtures_support.py and prints what it returns.
        app, name = command.split(":", 1)
        module = importlib.import_module(f"e2e.fixtures_{app}")
        print(getattr(module, name.replace("-", "_"))(*args))
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
