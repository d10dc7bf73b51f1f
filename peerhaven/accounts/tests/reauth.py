"""Re-authenticating a test client the way a member does: the password again, through allauth."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from peerhaven.accounts.tests.factories import PASSWORD


def reauthenticate(client: Client, *, next_url: str = "") -> object:
    """POST the password to allauth's re-authentication page; returns its response."""
    url = reverse("account_reauthenticate")
    if next_url:
        url = f"{url}?next={next_url}"
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code in {200, 302}, response.status_code
    return response
