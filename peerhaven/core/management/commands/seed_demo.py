"""`manage.py seed_demo`: create (or restore) the demo community. Safe to run again and again."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from peerhaven.core.demo import DEMO_DOMAIN, DEMO_PEOPLE, demo_community_seed
from peerhaven.notifications.models import Notification


def _licence_seeder() -> Any:
    """The verification app's demo seeder, when that app provides one."""
    try:
        module = importlib.import_module("peerhaven.verification.demo")
    except ModuleNotFoundError as exc:
        # Only a missing demo module is tolerated; an import error inside it must surface.
        if exc.name != "peerhaven.verification.demo":
            raise
        return None
    return module.seed_demo_licences


class Command(BaseCommand):
    help = "Seed the demo community (demo only: every account's password is public)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEVELOPMENT:
            # Demo accounts have a published password and derivable second factor: on a real
            # instance they would be open doors.
            raise CommandError("seed_demo runs only in development (PEERHAVEN_DEBUG=1).")
        seeder = _licence_seeder()
        report = demo_community_seed(licence_seeder=seeder)
        # Demo addresses do not exist: the seeding's own notifications stay in each centre and
        # are not mailed (the worker would otherwise print ~30 mails over the log-in table).
        Notification.objects.filter(
            user__email__endswith=f"@{DEMO_DOMAIN}", emailed_at__isnull=True
        ).update(emailed_at=timezone.now())
        self.stdout.write(
            f"Demo community: {len(DEMO_PEOPLE)} accounts "
            f"({report.created} created, {report.updated} restored, "
            f"{len(DEMO_PEOPLE) - report.created - report.updated} unchanged)."
        )
        if seeder is None:
            self.stdout.write(
                "Note: peerhaven.verification.demo is not installed, so no pending licence "
                "submissions were filed; those members stay unverified."
            )
        # Membership policy and a waiting invitation (the staff app's demo); imported here so
        # that the core command does not depend on the staff app at import time.
        from peerhaven.staff.demo import seed_demo_staff

        staff_report = seed_demo_staff()
        if staff_report.invitation_link:
            self.stdout.write(f"Demo invitation (open it signed out to try joining): {staff_report.invitation_link}")
        # Each programme app seeds its own demo data: `<app>.demo.seed_demo_programme()` returns
        # a one-line summary (idempotent, like the rest of this command).
        for config in apps.get_app_configs():
            if not config.name.startswith("peerhaven."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            programme_seeder = getattr(module, "seed_demo_programme", None)
            if programme_seeder is not None:
                self.stdout.write(str(programme_seeder()))
