"""Test data for the groups browser journeys that a browser cannot create: staff appointing a
facilitator. Written through the project's services against the e2e server's database (see
e2e/fixtures_cli.py):

    python e2e/fixtures_cli.py groups:facilitator EMAIL
"""

from __future__ import annotations

from peerhaven.accounts.models import Role, User
from peerhaven.accounts.services import role_grant


def facilitator(email: str) -> int:
    """Staff appoint facilitators; here directly."""
    user = User.objects.get(email=email)
    role_grant(actor=None, user=user, role=Role.FACILITATOR)
    return int(user.pk)


def meetings_group(facilitator_email: str, *member_emails: str) -> int:
    """A case consultation group (Europe/Berlin) led by the facilitator, the members already in it
    with the agreement accepted: the meetings journey starts inside a group."""
    from peerhaven.groups.models.groups import Membership
    from peerhaven.groups.services.groups import agreement_accept, group_create

    leader = User.objects.get(email=facilitator_email)
    role_grant(actor=None, user=leader, role=Role.FACILITATOR)
    group = group_create(
        actor=leader, name=f"Meetings group {leader.pk}", description="Weekly case consultation.",
        kind="consultation", visibility="unlisted", join_policy="invitation", capacity=8, language="en",
        time_zone="Europe/Berlin", agreement_text="What is said here stays here. De-identified cases only.",
    )
    for email in member_emails:
        member = User.objects.get(email=email)
        Membership.objects.create(group=group, user=member, status="approved")
        agreement_accept(actor=member, group=group, version=group.agreement_version)
    return int(group.pk)


def meeting_started(group_id: str) -> int:
    """A meeting of the group that began five minutes ago (attendance opens with the room); a
    browser cannot schedule one in the past."""
    import datetime as dt

    from django.utils import timezone

    from peerhaven.groups.models.meetings import Meeting

    start = timezone.now() - dt.timedelta(minutes=5)
    meeting = Meeting.objects.create(group_id=int(group_id), title="Started meeting", starts_at=start,
                                     ends_at=start + dt.timedelta(minutes=90))
    return int(meeting.pk)
