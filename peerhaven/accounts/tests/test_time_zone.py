"""Times are shown in the member's own time zone, kept in the session when the profile changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.forms import ProfileForm
from peerhaven.accounts.models import PROFILE_VISIBILITY_DEFAULTS, User

pytestmark = pytest.mark.django_db

JOINED = dt.datetime(2025, 1, 15, 23, 30, tzinfo=dt.UTC)


def _profile_form_data(user: User, **changes: str) -> dict[str, str]:
    form = ProfileForm(instance=user.profile)
    data = {name: form[name].value() or "" for name in ProfileForm.Meta.fields}
    for name in ("specialties", "modalities", "languages"):
        data[name] = ", ".join(data[name]) if isinstance(data[name], list) else data[name]
    data.update({f"visibility_{name}": str(default) for name, default in PROFILE_VISIBILITY_DEFAULTS.items()})
    data.update(changes)
    return data


def test_it_shows_times_in_the_zone_the_member_chose(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = member_factory(verified=True, date_joined=JOINED)
    client = client_for(user)
    assert "Jan. 15, 2025, 11:30 p.m. UTC" in client.get(reverse("accounts:export")).content.decode()

    saved = client.post(reverse("accounts:profile"), _profile_form_data(user, time_zone="Australia/Sydney"))
    assert saved.status_code == 302

    page = client.get(reverse("accounts:export")).content.decode()
    assert "Jan. 16, 2025, 10:30 a.m. AEDT" in page


def test_it_follows_daylight_saving_in_the_members_zone(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = member_factory(verified=True, date_joined=dt.datetime(2025, 7, 15, 23, 30, tzinfo=dt.UTC))
    client = client_for(user)
    client.post(reverse("accounts:profile"), _profile_form_data(user, time_zone="Australia/Sydney"))
    assert "July 16, 2025, 9:30 a.m. AEST" in client.get(reverse("accounts:export")).content.decode()
