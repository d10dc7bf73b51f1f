"""Pages keep a fixed number of queries however many submissions there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import Profile, User
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus

pytestmark = pytest.mark.django_db

SIZES = (1, 50, 500)


def _add_submissions(members, *, statuses=(SubmissionStatus.PENDING, SubmissionStatus.VERIFIED, SubmissionStatus.REJECTED)):
    today = timezone.localdate()
    LicenceSubmission.objects.bulk_create(
        LicenceSubmission(
            member=member, licence_type="counsellor", number=f"N-{index}", jurisdiction="Oregon",
            expires_on=today + dt.timedelta(days=100 + index), status=statuses[index % len(statuses)],
            reason="A reason" if index % 3 == 2 else "",
        )
        for index, member in enumerate(members)
    )


def _bulk_members(count: int, offset: int) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"bulk{offset}-{index}@example.org") for index in range(count)
    )
    Profile.objects.bulk_create(Profile(user=user, display_name=f"Bulk {index}") for index, user in enumerate(users))
    return users


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_it_keeps_the_queue_at_a_fixed_query_count(member_factory, client_for):
    verifier = member_factory(verified=True, roles=("verifier",))
    client = client_for(verifier, passkey=True)
    counts = []
    have = 0
    for size in SIZES:
        _add_submissions(_bulk_members(size - have, offset=size))
        have = size
        assert LicenceSubmission.objects.count() == size
        counts.append(_count(client, reverse("verification:queue")))
    assert counts[0] == counts[1] == counts[2], counts


def test_it_keeps_my_licence_at_a_fixed_query_count(member_factory, client_for):
    member = member_factory()
    client = client_for(member)
    counts = []
    have = 0
    for size in SIZES:
        _add_submissions([member] * (size - have))
        have = size
        counts.append(_count(client, reverse("verification:my_licence")))
    assert counts[0] == counts[1] == counts[2], counts


def test_it_keeps_the_review_page_at_a_fixed_query_count(member_factory, client_for):
    verifier = member_factory(verified=True, roles=("verifier",))
    applicant = member_factory()
    client = client_for(verifier, passkey=True)
    _add_submissions([applicant], statuses=(SubmissionStatus.PENDING,))
    current = LicenceSubmission.objects.get(member=applicant)
    url = reverse("verification:review", kwargs={"pk": current.pk})
    counts = []
    have = 1
    for size in SIZES:
        _add_submissions([applicant] * (size - have), statuses=(SubmissionStatus.REJECTED,))
        have = size
        counts.append(_count(client, url))
    assert counts[0] == counts[1] == counts[2], counts
