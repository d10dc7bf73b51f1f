"""Re-authenticating a test client: recorded in the session as allauth records it, or through
allauth's own page (its rate limit allows only a few of those per minute per address)."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.tests.factories import PASSWORD


def reauthenticate(client: Client) -> None:
    """As if the member had just given their password again (allauth's own record)."""
    session = client.session
    records = list(session.get(AUTHENTICATION_METHODS_SESSION_KEY, []))
    records.append({"method": "password", "at": time.time(), "reauthenticated": True})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def reauthenticate_through_allauth(client: Client, *, next_url: str = "") -> HttpResponse:
    """POST the password to allauth's re-authentication page and return its response."""
    cache.clear()  # allauth's rate limits live in the cache: start this test with none used
    url = reverse("account_reauthenticate")
    if next_url:
        url = f"{url}?next={next_url}"
    response: HttpResponse = client.post(url, {"password": PASSWORD})
    return response
