""""Coming up" on the member's home page: the next sessions, group meetings and meetups of the
programmes that are switched on, in one list ordered by time.

Each programme's app provides one function `agenda_for(user, now, limit) -> list[AgendaItem]`
(one query each); they are named here by dotted path, so core never imports an app's models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from peerhaven.core.programmes import enabled_programmes

HOME_AGENDA_SIZE = 5

# programme slug -> providers ("module:function").
AGENDA_PROVIDERS: dict[str, tuple[str, ...]] = {
    "t4t": ("peerhaven.support.agenda:agenda_for",),
    "groups": ("peerhaven.groups.agenda:agenda_for",),
    "community": ("peerhaven.live.agenda:agenda_for",),
}


@dataclass(frozen=True)
class AgendaItem:
    starts_at: dt.datetime
    ends_at: dt.datetime
    # What the member sees on their own home page; never shown to anyone else.
    title: str
    kind: StrOrPromise
    url: str


def _provider(path: str) -> Any:
    module, _sep, name = path.partition(":")
    return getattr(import_module(module), name)


def agenda_for(user: Any, request: HttpRequest | None = None, *, limit: int = HOME_AGENDA_SIZE) -> list[AgendaItem]:
    """The next `limit` things the member takes part in, across the switched-on programmes."""
    now = timezone.now()
    items: list[AgendaItem] = []
    for programme in enabled_programmes(request):
        for path in AGENDA_PROVIDERS.get(programme.slug, ()):
            items.extend(_provider(path)(user, now=now, limit=limit))
    items.sort(key=lambda item: (item.starts_at, item.ends_at))
    return items[:limit]
