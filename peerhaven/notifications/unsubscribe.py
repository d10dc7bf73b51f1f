"""Signed one-click unsubscribe tokens: one per member and kind, carried in e-mail links.

The token is signed, not encrypted: it holds the member's public id (never the primary key or
the address) and the kind code, both of which are safe to appear in a URL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core import signing

from peerhaven.notifications.kinds import is_registered

_SALT = "peerhaven.notifications.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeRequest:
    user_public_id: uuid.UUID
    kind: str


class InvalidUnsubscribeToken(Exception):
    """Tampered, truncated, or naming a kind that no longer exists."""


def unsubscribe_token_make(*, user: Any, kind: str) -> str:
    return signing.dumps({"u": str(user.public_id), "k": kind}, salt=_SALT)


def unsubscribe_token_read(token: str) -> UnsubscribeRequest:
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature as exc:
        raise InvalidUnsubscribeToken from exc
    if not isinstance(payload, dict):
        raise InvalidUnsubscribeToken
    kind = payload.get("k")
    try:
        public_id = uuid.UUID(str(payload.get("u")))
    except ValueError as exc:
        raise InvalidUnsubscribeToken from exc
    if not isinstance(kind, str) or not is_registered(kind):
        raise InvalidUnsubscribeToken
    return UnsubscribeRequest(user_public_id=public_id, kind=kind)
