"""Reads owned by the API app: a member's tokens and the token a request presents."""

from __future__ import annotations

import hmac
import re
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from peerhaven.api.models import PersonalAccessToken
from peerhaven.api.services import TOKEN_PREFIX, hash_secret

_TOKEN_RE = re.compile(rf"^{TOKEN_PREFIX}_(?P<key_id>[0-9a-f]{{16}})_(?P<secret>[A-Za-z0-9_-]{{20,100}})$")


def tokens_for(user: Any) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get_for_user(user: Any, pk: int) -> PersonalAccessToken:
    """The member's own token; anyone else's is answered as if it did not exist."""
    token = tokens_for(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def token_for_presented(presented: str) -> PersonalAccessToken | None:
    """The usable token matching a presented `ph_<key_id>_<secret>`, or None."""
    match = _TOKEN_RE.match(presented.strip())
    if match is None:
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(key_id=match["key_id"])
        .first()
    )
    if token is None:
        return None
    if not hmac.compare_digest(token.secret_hash, hash_secret(match["secret"])):
        return None
    if not token.is_usable:
        return None
    return token


def pseudonym_taken(pseudonym: str, *, exclude_user: Any) -> bool:
    """Pseudonyms are unique regardless of case (the accounts constraint); checked first so a
    clash is a field message rather than a constraint name."""
    from peerhaven.accounts.models import Profile

    return Profile.objects.filter(pseudonym__iexact=pseudonym).exclude(user=exclude_user).exists()
