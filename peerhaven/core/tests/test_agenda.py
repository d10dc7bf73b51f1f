"""'Coming up' on the home page: the member's next sessions, group meetings and meetups, in time
order, only their own, only for programmes switched on, at a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.tests.grid_meetings import make_group, make_meeting
from peerhaven.live.models import MeetupRegistration
from peerhaven.live.services import meetup_create
from peerhaven.sitesettings.services import instance_settings_update
from peerhaven.support.tests.grid_booking import make_booking, make_supporter

pytestmark = pytest.mark.django_db


def _meetup(host: object, *, starts_in: dt.timedelta, title: str) -> object:
    start = timezone.now() + starts_in
    return meetup_create(actor=host, title=title, description="", starts_at=start,
                         ends_at=start + dt.timedelta(hours=1), capacity=20)


def _home(client: Client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_home_page_lists_what_comes_up_in_time_order_and_only_the_members_own() -> None:
    member = make_member(verified=True)
    stranger = make_member(verified=True)
    booking = make_booking(member, make_supporter(), starts_in=dt.timedelta(days=3))
    group = make_group(make_member(verified=True), members=(member,), name="Tuesday ethics circle")
    meeting = make_meeting(group, starts_in=dt.timedelta(days=1))
    meetup = _meetup(make_member(verified=True, roles=("facilitator",)), starts_in=dt.timedelta(days=2),
                     title="Evening decompression")
    MeetupRegistration.objects.create(meetup=meetup, member=member)
    # Other people's things never appear.
    make_booking(stranger, make_supporter(), starts_in=dt.timedelta(hours=5))
    _meetup(make_member(verified=True, roles=("facilitator",)), starts_in=dt.timedelta(hours=6),
            title="Not registered")

    page, _queries = _home(sign_in(Client(), member))
    links = [reverse("groups:meeting_detail", args=[meeting.pk]), reverse("live:meetup_detail", args=[meetup.pk]),
             reverse("support:session", args=[booking.pk])]
    positions = [page.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
    assert "Tuesday ethics circle" in page and "Evening decompression" in page
    assert "Not registered" not in page
    # A session is named neutrally, never by the counterpart.
    assert booking.supporter.user.public_name not in page

    page, _queries = _home(sign_in(Client(), stranger))
    assert "Tuesday ethics circle" not in page and "Evening decompression" not in page


def test_a_programme_switched_off_leaves_the_list() -> None:
    member = make_member(verified=True)
    group = make_group(make_member(verified=True), members=(member,), name="Tuesday ethics circle")
    make_meeting(group)
    instance_settings_update(actor=None, changes={"enabled_programmes": ["t4t", "community"]})
    page, _queries = _home(sign_in(Client(), member))
    assert "Tuesday ethics circle" not in page
    assert "Coming up" not in page


def test_the_home_page_asks_the_same_number_of_queries_however_much_comes_up() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    counts = []
    supporter = make_supporter()
    group = make_group(make_member(verified=True), members=(member,))
    for extra in (1, 10, 30):
        for index in range(extra):
            make_booking(member, supporter, starts_in=dt.timedelta(days=2, hours=index))
            make_meeting(group, starts_in=dt.timedelta(days=1, hours=index))
        _home(client)  # warm the per-process caches
        counts.append(_home(client)[1])
    assert counts[0] == counts[1] == counts[2], counts
