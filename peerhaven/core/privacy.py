"""The privacy registry: every app says here what it holds about a member (export) and how to
forget it (erasure). accounts' `account_export` and `account_erase` services walk the registry.

How an app takes part, in its `AppConfig.ready()`::

    from peerhaven.core import privacy
    from peerhaven.forums import privacy as forums_privacy

    privacy.register(
        "forums",
        exporter=forums_privacy.export_member,   # (user) -> dict, JSON-serialisable
        eraser=forums_privacy.erase_member,      # (user, *, keep_posts_as_former_member) -> None
    )

Rules for an exporter: return only this member's own data (decrypted where it is encrypted at
rest); never another member's identity (no names, e-mail addresses or pseudonyms of others,
never the author of an anonymous post), never secrets (password hashes, TOTP seeds, tokens).

Rules for an eraser: it runs inside the erasure transaction, before the user row is deleted.
Delete the member's personal data; for what they posted in the community, delete it when
`keep_posts_as_former_member` is false, else detach it from the member (a null author shown
as `FORMER_MEMBER`). Leave nothing with an on_delete=PROTECT/RESTRICT link to the user, or the
user row can only be anonymised instead of deleted. Never touch the audit log: it keeps actor
ids without a foreign key, and the staff viewer shows "former member" for ids that are gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

# What others see in place of an erased member's name (posts kept, audit rows).
FORMER_MEMBER = _("former member")

EXPORT_FORMAT = "peerhaven-export"
EXPORT_FORMAT_VERSION = 1

Exporter = Callable[[Any], dict[str, Any]]


class Eraser(Protocol):
    def __call__(self, user: Any, *, keep_posts_as_former_member: bool) -> None: ...


@dataclass(frozen=True)
class PrivacySection:
    name: str
    exporter: Exporter | None
    eraser: Eraser | None


class AlreadyRegistered(Exception):
    """Two apps (or one app twice) claimed the same section name."""


_sections: dict[str, PrivacySection] = {}


def register(name: str, *, exporter: Exporter | None = None, eraser: Eraser | None = None) -> None:
    """Register an app's exporter and/or eraser under the export section `name`."""
    if exporter is None and eraser is None:
        raise ValueError("Register an exporter, an eraser, or both.")
    if name in _sections:
        raise AlreadyRegistered(f"The privacy section {name!r} is already registered.")
    _sections[name] = PrivacySection(name=name, exporter=exporter, eraser=eraser)


def unregister(name: str) -> None:
    """For tests that register a temporary section."""
    _sections.pop(name, None)


def sections() -> list[PrivacySection]:
    """In registration order, which follows INSTALLED_APPS."""
    return list(_sections.values())


def export_sections(user: Any) -> dict[str, dict[str, Any]]:
    return {section.name: section.exporter(user) for section in sections() if section.exporter is not None}


def erase_sections(user: Any, *, keep_posts_as_former_member: bool) -> list[str]:
    """Run every eraser, newest registration first (apps that build on accounts go before it),
    and return the names of the sections erased."""
    erased = []
    for section in reversed(sections()):
        if section.eraser is not None:
            section.eraser(user, keep_posts_as_former_member=keep_posts_as_former_member)
            erased.append(section.name)
    return erased
