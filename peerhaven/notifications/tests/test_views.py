"""The notification centre, open / mark read, preferences page and the unread badge."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerhaven.notifications.kinds import KINDS
from peerhaven.notifications.models import Notification
from peerhaven.notifications.selectors import preference_for

pytestmark = pytest.mark.django_db


def _make(user, count: int) -> list[Notification]:
    kinds = list(KINDS)
    return Notification.objects.bulk_create(
        Notification(user=user, kind=kinds[i % len(kinds)], link="/home/", read_at=timezone.now() if i % 3 == 0 else None)
        for i in range(count)
    )


def test_it_lists_my_notifications_with_unread_highlighted(member_factory, client_for):
    member, other = member_factory(), member_factory()
    read = Notification.objects.create(user=member, kind="licence.verified", link="/a/", read_at=timezone.now())
    unread = Notification.objects.create(user=member, kind="licence.rejected", link="/b/")
    theirs = Notification.objects.create(user=other, kind="licence.more_info", link="/c/")
    Notification.objects.create(user=member, kind="licence.expired", in_app=False)
    response = client_for(member).get(reverse("notifications:list"))
    assert response.status_code == 200
    page = response.context["page"]
    assert [n.pk for n in page] == [unread.pk, read.pk]
    html = response.content.decode()
    assert reverse("notifications:open", args=[unread.pk]) in html
    assert reverse("notifications:open", args=[theirs.pk]) not in html
    assert 'class="unread"' in html and "Mark all as read" in html
    assert response.context["unread_notifications"] == 1


def test_it_keeps_the_query_count_equal_for_1_50_and_500(member_factory, client_for):
    counts = {}
    for count in (1, 50, 500):
        member = member_factory()
        _make(member, count)
        client = client_for(member)
        url = reverse("notifications:list")
        client.get(url)  # the first request does the session's once-per-login bookkeeping
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[count] = len(queries)
    assert counts[1] == counts[50] == counts[500], counts


def test_it_opens_a_notification_marking_it_read(member_factory, client_for):
    member = member_factory()
    notification = Notification.objects.create(user=member, kind="licence.verified", link="/verification/")
    response = client_for(member).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/verification/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_opens_a_linkless_notification_to_the_centre(member_factory, client_for):
    member = member_factory()
    notification = Notification.objects.create(user=member, kind="licence.verified")
    response = client_for(member).get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_it_never_redirects_off_site_even_from_a_bad_stored_link(member_factory, client_for):
    member = member_factory()
    # Written around the service, as a corrupted row would be.
    notification = Notification.objects.create(user=member, kind="licence.verified", link="//evil.example/")
    response = client_for(member).get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_it_answers_404_for_someone_elses_notification(member_factory, client_for):
    owner, other = member_factory(), member_factory()
    notification = Notification.objects.create(user=owner, kind="licence.verified", link="/home/")
    client = client_for(other)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_one_read_and_returns_to_the_same_page(member_factory, client_for):
    member = member_factory()
    notification = Notification.objects.create(user=member, kind="licence.verified")
    response = client_for(member).post(reverse("notifications:mark_read", args=[notification.pk]), {"page": "2"})
    assert response["Location"] == reverse("notifications:list") + "?page=2"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_marks_all_of_mine_read(member_factory, client_for):
    member, other = member_factory(), member_factory()
    _make(member, 5)
    Notification.objects.create(user=other, kind="licence.verified")
    response = client_for(member).post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1


def test_it_shows_and_saves_preferences_per_kind(member_factory, client_for):
    member = member_factory()
    client = client_for(member)
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in KINDS.values():
        assert str(kind.title) in html
    assert 'for="id_kind-licence_verified-email"' in html
    # Everything on except e-mail for licence.verified and the centre for licence.expired.
    data = {}
    for code in KINDS:
        prefix = "kind-" + code.replace(".", "_")
        if code != "licence.expired":
            data[f"{prefix}-in_app"] = "on"
        if code != "licence.verified":
            data[f"{prefix}-email"] = "on"
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert preference_for(member, "licence.verified") == (True, False)
    assert preference_for(member, "licence.expired") == (False, True)
    assert preference_for(member, "licence.rejected") == (True, True)


def test_it_shows_the_unread_count_in_the_header(member_factory, client_for):
    member = member_factory()
    _make(member, 3)  # one of every three is read
    response = client_for(member).get(reverse("core:home"))
    assert response.context["unread_notifications"] == 2
    assert '<span class="badge">2' in response.content.decode()


def test_it_counts_nothing_for_visitors():
    response = Client().get(reverse("core:services"))
    assert response.context["unread_notifications"] == 0
