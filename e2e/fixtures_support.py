"""Test data for the T4T browser journeys that a browser cannot create: staff publishing the
supporter agreement, recording a supporter's training and approving them. Written through the
project's services against the e2e server's database (see e2e/fixtures_cli.py):

    python e2e/fixtures_cli.py support:supporter EMAIL TIME_ZONE
"""

from __future__ import annotations

import datetime as dt

from peerhaven.accounts.models import Role, User
from peerhaven.accounts.services import role_grant
from peerhaven.support.selectors.booking import current_agreement
from peerhaven.support.services import booking as services


def _staff() -> User:
    staff = User.objects.filter(email="fixture-support-staff@example.org").first()
    if staff is None:
        staff = User.objects.create_user(email="fixture-support-staff@example.org", password=None)
        role_grant(actor=None, user=staff, role=Role.STAFF)
    return staff


def supporter(email: str, time_zone: str = "Europe/London") -> int:
    """The member at `email` becomes an approved supporter, open every day 07:00–22:00 in
    `time_zone`, booking from one hour ahead (the real path: apply, training, approval)."""
    staff = _staff()
    agreement = current_agreement() or services.agreement_publish(
        actor=staff, body="Peer support is not therapy. Never take a supported peer on as a client."
    )
    user = User.objects.get(email=email)
    profile = services.supporter_apply(
        actor=user, agreement_version=agreement.version, approach="Listening first, no fixing",
        bio="Clinician for twenty years; I know the weight of the work.", specialties=["burnout", "grief"],
        languages=["en"], jurisdictions=["US-OR"], session_lengths=[50], time_zone=time_zone, max_per_week=10,
        max_per_month=30, min_notice_minutes=60, buffer_minutes=10, horizon_days=14,
    )
    services.supporter_set_training(actor=staff, supporter=profile, completed=True)
    services.supporter_approve(actor=staff, supporter=profile)
    for weekday in range(7):
        services.window_add(actor=user, supporter=profile, weekday=weekday, start_time=dt.time(7),
                            end_time=dt.time(22))
    return int(profile.pk)
