"""The staff audit viewer: erased actors appear as "former member", and a page costs the same
number of queries however long the log is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerhaven.accounts.models import User
from peerhaven.accounts.services import account_erase
from peerhaven.core.audit import audit_log
from peerhaven.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(member_factory: Callable[..., User], client_for: Callable[..., Client]) -> Client:
    return client_for(member_factory(verified=True, roles=("staff",)), passkey=True)


def _actor_cells(client: Client, actor_id: int) -> str:
    response = client.get(reverse("core:audit_log"), {"actor": actor_id})
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_a_former_member_for_an_erased_actor(
    staff_client: Client, member_factory: Callable[..., User]
) -> None:
    member = member_factory(verified=True)
    audit_log("profile.update", actor=member, target=member)
    member_id = member.pk
    assert "former member" not in _actor_cells(staff_client, member_id)

    account_erase(actor=member, keep_posts_as_former_member=True)

    assert AuditEntry.objects.filter(actor_id=member_id, action="profile.update").exists()
    page = _actor_cells(staff_client, member_id)
    assert page.count("former member") == AuditEntry.objects.filter(actor_id=member_id).count()


def test_it_shows_a_former_member_for_an_anonymised_tombstone(
    staff_client: Client, member_factory: Callable[..., User]
) -> None:
    member = member_factory(verified=True)
    audit_log("profile.update", actor=member, target=member)
    User.objects.filter(pk=member.pk).update(erased_at=member.date_joined)
    assert "former member" in _actor_cells(staff_client, member.pk)


def test_it_reads_a_page_of_the_log_in_constant_queries(
    staff_client: Client, member_factory: Callable[..., User]
) -> None:
    # Actors alternate between live members and erased ids, so both branches are rendered.
    members = [member_factory() for _ in range(2)]
    gone_ids = [10_000 + n for n in range(3)]
    staff_client.get(reverse("core:audit_log"))  # warm per-session caches
    counts = {}
    written = 0
    for size in (1, 50, 500):
        AuditEntry.objects.bulk_create(
            AuditEntry(action="test.entry", actor_id=members[n % 2].pk if n % 2 else gone_ids[n % 3])
            for n in range(written, size)
        )
        written = size
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse("core:audit_log"))
        assert response.status_code == 200
        counts[size] = len(queries)
        # The actors' state comes with the entries: no query per actor, none on users at all
        # beyond loading the signed-in staff member.
        user_reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_user"')]
        assert len(user_reads) == 1
    assert counts[1] == counts[50] == counts[500], counts
