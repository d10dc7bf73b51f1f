"""`manage.py demo_totp <email>`: the current authenticator code of a demo account."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from peerhaven.core.demo import DEMO_DOMAIN, demo_totp_secret, is_demo_email, totp_code


class Command(BaseCommand):
    help = f"Print the current 6-digit TOTP code of a demo account (@{DEMO_DOMAIN} only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        # Real members' secrets stay in the authenticator they enrolled: this command only
        # serves the public demo addresses, whose secrets are derived, not stored-only.
        if not is_demo_email(email):
            raise CommandError(f"Only demo accounts (@{DEMO_DOMAIN}) have codes printed here.")
        secret = demo_totp_secret(email)
        stored = Authenticator.objects.filter(
            user__email__iexact=email.strip(), type=Authenticator.Type.TOTP
        ).first()
        if stored is None:
            raise CommandError("No demo account with an authenticator at that address; run `manage.py seed_demo`.")
        if decrypt(stored.data["secret"]) != secret:
            raise CommandError("This demo account's authenticator was changed; run `manage.py seed_demo` to restore it.")
        self.stdout.write(totp_code(secret))
