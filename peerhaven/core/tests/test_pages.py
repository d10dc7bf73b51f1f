"""Public pages, the contact form and the member home."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerhaven.core.models import ContactMessage
from peerhaven.core.programmes import PROGRAMMES
from peerhaven.notifications.models import Notification


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.mark.django_db
def test_it_describes_all_six_programmes_to_visitors() -> None:
    response = Client().get(reverse("core:services"))
    assert response.status_code == 200
    body = response.content.decode()
    assert len(PROGRAMMES) == 6
    for programme in PROGRAMMES:
        assert str(programme.title) in body
    assert reverse("account_signup") in body
    assert "How confidentiality is protected" in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["core:services", "core:privacy", "core:contact", "account_login", "account_signup", "safety:crisis"])
def test_it_links_crisis_resources_from_every_public_page(name: str) -> None:
    body = Client().get(reverse(name)).content.decode()
    assert f'href="{reverse("safety:crisis")}"' in body


@pytest.mark.django_db
def test_it_links_crisis_resources_from_member_pages(verified_client: Client) -> None:
    for name in ("core:home", "accounts:profile", "notifications:list"):
        body = verified_client.get(reverse(name)).content.decode()
        assert f'href="{reverse("safety:crisis")}"' in body, name


@pytest.mark.django_db
def test_it_routes_a_contact_message_to_staff_without_its_content(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("core:contact"),
            {"email": "visitor@example.org", "subject": "Joining", "message": "canary-contact-text-7731"},
        )
    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert message.message == "canary-contact-text-7731"
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM core_contactmessage WHERE id = %s", [message.pk])
        raw = cursor.fetchone()[0]
    assert "canary-contact-text-7731" not in raw
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert "canary-contact-text-7731" not in sent.body + sent.subject
    assert "Joining" not in sent.body + sent.subject


@pytest.mark.django_db
def test_it_answers_a_bad_contact_form_with_400_and_writes_nothing() -> None:
    response = Client().post(reverse("core:contact"), {"email": "not-an-address", "subject": "", "message": "x"})
    assert response.status_code == 400
    assert ContactMessage.objects.count() == 0
    assert "Enter a valid email address" in response.content.decode()


@pytest.mark.django_db
def test_it_rate_limits_the_contact_form() -> None:
    client = Client()
    data = {"email": "visitor@example.org", "subject": "Hello", "message": "A question"}
    statuses = [client.post(reverse("core:contact"), data).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert ContactMessage.objects.count() == 5


@pytest.mark.django_db
def test_it_shows_the_verified_badge_only_to_verified_members(member_factory: Any, client_for: Any) -> None:
    verified = client_for(member_factory(verified=True)).get(reverse("core:home")).content.decode()
    registered = client_for(member_factory()).get(reverse("core:home")).content.decode()
    assert "Verified clinician" in verified
    assert "Verified clinician" not in registered
    assert "Get verified to join the programmes" in registered


def _home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_it_keeps_the_home_page_query_count_constant(verified_member: Any, verified_client: Client) -> None:
    counts = []
    for total in (1, 50, 500):
        Notification.objects.filter(user=verified_member).delete()
        Notification.objects.bulk_create(
            [Notification(user=verified_member, kind="licence.verified", link="/home/") for _ in range(total)]
        )
        counts.append(_home_queries(verified_client))
    assert counts[0] == counts[1] == counts[2], counts
