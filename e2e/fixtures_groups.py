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
