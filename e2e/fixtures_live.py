"""Test data for the live browser tests that a browser cannot create quickly: a facilitator
hosting a meetup whose room is open now, and members registered for it. Written through the live
services, against the e2e server's database (see e2e/fixtures_cli.py):

    python e2e/fixtures_cli.py live:facilitator EMAIL
    python e2e/fixtures_cli.py live:open_meetup HOST_EMAIL TITLE CAPACITY      (prints its pk)
    python e2e/fixtures_cli.py live:register MEETUP_PK EMAIL
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerhaven.accounts.models import Role, User
from peerhaven.accounts.services import role_grant
from peerhaven.live.models import Meetup
from peerhaven.live.services import meetup_create, meetup_register


def facilitator(email: str) -> int:
    """Staff appoint facilitators; here directly."""
    user = User.objects.get(email=email)
    role_grant(actor=None, user=user, role=Role.FACILITATOR)
    return int(user.pk)


def open_meetup(host_email: str, title: str, capacity: str = "10") -> int:
    """A meetup that started a minute ago and lasts an hour: its room is open now."""
    host = User.objects.get(email=host_email)
    starts_at = timezone.now() - dt.timedelta(minutes=1)
    meetup = meetup_create(
        actor=host, title=title, description="", starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1), capacity=int(capacity),
    )
    return int(meetup.pk)


def register(meetup_pk: str, email: str) -> int:
    member = User.objects.get(email=email)
    registration = meetup_register(actor=member, meetup=Meetup.objects.get(pk=int(meetup_pk)))
    return int(registration.pk)
