"""/api/v1 notifications: the member's own list, mark one read, mark all read.

A thin edge over the same selectors, policies and services as the HTML views.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from peerhaven.accounts.models import User
from peerhaven.core.policies import is_active_member
from peerhaven.notifications.models import Notification
from peerhaven.notifications.policies import notification_get_for_user
from peerhaven.notifications.selectors import notifications_for
from peerhaven.notifications.services import notification_mark_read, notifications_mark_all_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkedOut(Schema):
    marked: int


class NotificationPagination(PageNumberPagination):
    """Page numbers with an upper bound: an absurd page would overflow the database's OFFSET."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=100)


def _member(request: HttpRequest) -> User:
    """The member behind this request: a token's user (`request.auth`) or the session's."""
    candidate: Any = getattr(request, "auth", None)
    if candidate is not None and not isinstance(candidate, User):
        candidate = getattr(candidate, "user", None)
    if not isinstance(candidate, User):
        candidate = getattr(request, "user", None)
    if not isinstance(candidate, User) or not candidate.is_authenticated:
        raise HttpError(401, _("Please sign in."))
    if not is_active_member(candidate):
        raise HttpError(403, _("This account is suspended."))
    return candidate


@router.get("/notifications", response=list[NotificationOut])
@paginate(NotificationPagination, page_size=25, max_page_size=100)
def list_notifications(request: HttpRequest) -> QuerySet[Notification]:
    return notifications_for(_member(request))


@router.post("/notifications/read-all", response=MarkedOut)
def mark_all_notifications_read(request: HttpRequest) -> dict[str, int]:
    return {"marked": notifications_mark_all_read(actor=_member(request))}


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def mark_notification_read(request: HttpRequest, notification_id: int) -> Notification:
    member = _member(request)
    notification = notification_get_for_user(member, notification_id)
    return notification_mark_read(actor=member, notification=notification)
