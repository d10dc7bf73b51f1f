"""/api/v1 edge of licence verification: a member's own standing (never the licence number)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from peerhaven.accounts.models import User
from peerhaven.core.policies import is_active_member
from peerhaven.verification.selectors import latest_submission_for

router = Router(tags=["verification"])


class LatestSubmissionOut(Schema):
    status: str
    created_at: dt.datetime


class MyLicenceOut(Schema):
    status: str
    verified_until: dt.date | None
    latest_submission: LatestSubmissionOut | None


def _requesting_member(request: HttpRequest) -> User:
    # The API's authentication puts the member on request.auth (tokens) or request.user (session).
    candidate: Any = getattr(request, "auth", None)
    if not isinstance(candidate, User):
        candidate = request.user
    if not isinstance(candidate, User) or not is_active_member(candidate):
        raise HttpError(401, _("Sign in to see your verification status."))
    return candidate


@router.get("/me/licence", response=MyLicenceOut, summary="My licence verification status")
def my_licence(request: HttpRequest) -> MyLicenceOut:
    member = _requesting_member(request)
    latest = latest_submission_for(member)
    return MyLicenceOut(
        status=member.verification_status,
        verified_until=member.verified_until,
        latest_submission=(
            LatestSubmissionOut(status=latest.status, created_at=latest.created_at)
            if latest is not None
            else None
        ),
    )
