"""Permission-grid expectations for notifications' routes."""

from __future__ import annotations

from typing import Any

from peerhaven.core.tests.grid_rules import REDIRECT, Route, member, public


def _own_notification(owner: Any) -> dict[str, Any]:
    from peerhaven.notifications.models import Notification

    notification = Notification.objects.create(user=owner, kind="licence.verified", link="/home/")
    return {"pk": notification.pk}


def _unsubscribe_token(owner: Any) -> dict[str, Any]:
    from peerhaven.notifications.unsubscribe import unsubscribe_token_make

    return {"token": unsubscribe_token_make(user=owner, kind="licence.verified")}


ROUTES = [
    Route("notifications:list", member(200)),
    Route("notifications:mark_all_read", member(REDIRECT), method="post"),
    # Another member's notification is indistinguishable from a missing one.
    Route("notifications:open", member(404), make_kwargs=_own_notification, owner_status=REDIRECT),
    Route(
        "notifications:mark_read", member(404), make_kwargs=_own_notification,
        owner_status=REDIRECT, method="post",
    ),
    Route("notifications:preferences", member(200)),
    # The signed token is the credential: anyone holding the link sees the confirm page.
    Route("notifications:unsubscribe", public(200), make_kwargs=_unsubscribe_token, owner_status=200),
]
