"""The allow-list of content that members can report. Apps register their models here (in
their AppConfig.ready()), each with a check that the reporter may see the object:

    from peerhaven.safety.registry import register_reportable
    register_reportable("forums.post", visible_to=can_view_post, author_id=lambda post: post.author_id)

A label that is not registered, or an object the reporter cannot see, is a 404: reporting
must not become a way to probe for content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class Reportable:
    label: str  # "app_label.model_name", lower case, as in the report URL
    visible_to: Callable[[Any, Any], bool]  # (user, object) -> may this user see it?
    # The member behind the object, so that nobody reports their own content. None: no author.
    author_id: Callable[[Any], int | None] | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


REPORTABLE: dict[str, Reportable] = {}


def register_reportable(
    label: str,
    *,
    visible_to: Callable[[Any, Any], bool],
    author_id: Callable[[Any], int | None] | None = None,
) -> Reportable:
    label = label.lower()
    apps.get_model(label)  # fails loudly at start-up on a typo
    entry = Reportable(label=label, visible_to=visible_to, author_id=author_id)
    REPORTABLE[label] = entry
    return entry


def unregister_reportable(label: str) -> None:
    REPORTABLE.pop(label.lower(), None)


def reportable_get_for_user(user: Any, label: str, object_id: int) -> tuple[Reportable, models.Model]:
    """The registered content object `user` may see, or 404 (unknown label, missing, invisible)."""
    entry = REPORTABLE.get(label.lower())
    if entry is None:
        raise Http404
    target = entry.model._default_manager.filter(pk=object_id).first()
    if target is None or not entry.visible_to(user, target):
        raise Http404
    return entry, target
