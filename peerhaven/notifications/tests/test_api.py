"""The notifications API router: my list, mark one read, mark all read; 404 on others'."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.testing import TestClient

from peerhaven.notifications.api import router
from peerhaven.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> TestClient:
    return TestClient(router)


def test_it_lists_only_my_notifications(api, member_factory):
    member, other = member_factory(), member_factory()
    mine = Notification.objects.create(user=member, kind="licence.verified", link="/verification/")
    Notification.objects.create(user=other, kind="licence.rejected")
    Notification.objects.create(user=member, kind="licence.expired", in_app=False)
    response = api.get("/notifications", user=member)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"] == [
        {
            "id": mine.pk,
            "kind": "licence.verified",
            "title": "Your licence is verified",
            "link": "/verification/",
            "created_at": body["items"][0]["created_at"],
            "read_at": None,
        }
    ]


def test_it_pages_the_list_with_constant_queries(api, member_factory):
    counts = {}
    for total in (1, 50, 500):
        member = member_factory()
        Notification.objects.bulk_create(Notification(user=member, kind="licence.verified") for _ in range(total))
        with CaptureQueriesContext(connection) as queries:
            body = api.get("/notifications?page=1", user=member).json()
        assert body["count"] == total and len(body["items"]) == min(total, 25)
        counts[total] = len(queries)
    assert counts[1] == counts[50] == counts[500], counts


def test_it_marks_one_read(api, member_factory):
    member = member_factory()
    notification = Notification.objects.create(user=member, kind="licence.verified")
    response = api.post(f"/notifications/{notification.pk}/read", user=member)
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_answers_404_for_someone_elses(api, member_factory):
    owner, other = member_factory(), member_factory()
    notification = Notification.objects.create(user=owner, kind="licence.verified")
    assert api.post(f"/notifications/{notification.pk}/read", user=other).status_code == 404
    assert api.post("/notifications/999999/read", user=other).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_all_of_mine_read(api, member_factory):
    member, other = member_factory(), member_factory()
    Notification.objects.create(user=member, kind="licence.verified")
    Notification.objects.create(user=member, kind="licence.rejected", read_at=timezone.now())
    Notification.objects.create(user=other, kind="licence.verified")
    response = api.post("/notifications/read-all", user=member)
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1


def test_it_takes_the_member_from_request_auth(api, member_factory):
    member = member_factory()
    Notification.objects.create(user=member, kind="licence.verified")
    # A personal access token puts the member on request.auth; the session user is anonymous.
    response = api.get("/notifications", auth=member)
    assert response.status_code == 200 and response.json()["count"] == 1


def test_it_refuses_visitors_and_suspended_members(api, member_factory):
    assert api.get("/notifications").status_code == 401
    suspended = member_factory(suspended=True)
    assert api.get("/notifications", user=suspended).status_code == 403


def test_it_answers_through_the_mounted_api_with_a_session(member_factory, client_for):
    member, other = member_factory(), member_factory()
    mine = Notification.objects.create(user=member, kind="licence.verified")
    theirs = Notification.objects.create(user=other, kind="licence.verified")
    client = client_for(member)
    body = client.get("/api/v1/notifications").json()
    assert [item["id"] for item in body["items"]] == [mine.pk]
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine.pk}/read").status_code == 200
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=0", "page_size=101", "page_size=0"])
def test_it_refuses_out_of_range_paging_kindly(api, member_factory, query):
    member = member_factory()
    assert api.get(f"/notifications?{query}", user=member).status_code == 422


def test_it_serves_a_page_past_the_end_as_empty(api, member_factory):
    member = member_factory()
    Notification.objects.create(user=member, kind="licence.verified")
    body = api.get("/notifications?page=100000", user=member).json()
    assert body == {"items": [], "count": 1}
