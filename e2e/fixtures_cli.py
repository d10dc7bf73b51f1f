"""Test data the browser journeys cannot create through the browser themselves (a verifier is
appointed by staff, terms are published by staff), written through the project's services
against the e2e server's database. Run by e2e/server.py with the server's environment:

    python e2e/fixtures_cli.py terms
    python e2e/fixtures_cli.py verifier EMAIL PASSWORD TOTP_SECRET
"""

from __future__ import annotations

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

from peerhaven.accounts.models import Role, TermsVersion, User  # noqa: E402
from peerhaven.accounts.selectors import current_terms  # noqa: E402
from peerhaven.accounts.services import profile_ensure, role_grant, terms_accept  # noqa: E402


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


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "terms":
        print(publish_terms().version)
    elif command == "verifier":
        email, password, totp_secret = args
        print(create_verifier(email, password, totp_secret).pk)
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
