"""Versioned terms: the seeded first version, and a new version accepted at the next request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.models import TermsAcceptance, TermsVersion, User
from peerhaven.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_seeds_a_first_version_with_real_terms_and_guidelines() -> None:
    first = TermsVersion.objects.get(version="1.0")
    words = len(first.terms.split()) + len(first.guidelines.split())
    assert 300 <= words <= 500
    for topic in ("not therapy", "crisis", "Confidentiality", "de-identify", "solicitation", "report"):
        assert topic.lower() in (first.terms + first.guidelines).lower()


def test_it_sends_a_member_to_accept_a_newly_published_version_at_the_next_request(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = member_factory(verified=True)
    client = client_for(user)
    profile_url = reverse("accounts:profile")
    assert client.get(profile_url).status_code == 200

    new = TermsVersion.objects.create(
        version="2.0", terms="Updated terms.", guidelines="Updated guidelines.",
        summary_of_changes="Clearer words on reporting.",
    )
    response = client.get(profile_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:terms_accept')}?next=%2Fme%2Fprofile%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Clearer words on reporting." in page.content.decode()

    accepted = client.post(reverse("accounts:terms_accept"), {"accept": "on", "next": profile_url})
    assert accepted.status_code == 302
    assert accepted["Location"] == profile_url
    assert TermsAcceptance.objects.filter(user=user, terms_version=new).exists()
    entry = AuditEntry.objects.get(action="terms.accept", actor_id=user.pk)
    assert entry.target_id == str(new.pk)
    assert client.get(profile_url).status_code == 200


def test_it_keeps_the_member_at_the_terms_until_they_accept(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    user = member_factory(verified=True)
    client = client_for(user)
    new = TermsVersion.objects.create(version="2.0", terms="Updated terms.", guidelines="Updated guidelines.")
    refused = client.post(reverse("accounts:terms_accept"), {})
    assert refused.status_code == 400
    assert not TermsAcceptance.objects.filter(user=user, terms_version=new).exists()
    assert client.get(reverse("accounts:export")).status_code == 302
