"""Licence documents: served decrypted only to the owner and verifiers, after a fresh
re-authentication, never cached or sniffed, and every look audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peerhaven.core.models import AuditEntry
from peerhaven.verification.tests.conftest import png_bytes, reauthenticate

pytestmark = pytest.mark.django_db


def _url(submission):
    return reverse("verification:document", kwargs={"pk": submission.pk})


@pytest.fixture
def verifier(member_factory):
    return member_factory(verified=True, roles=("verifier",))


def test_it_serves_the_decrypted_document_to_a_verifier_as_an_attachment(
    verifier, member_factory, submission_factory, client_for
):
    submission = submission_factory(member_factory(), with_document=True)
    response = reauthenticate(client_for(verifier, passkey=True)).get(_url(submission))
    assert response.status_code == 200
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="licence-{submission.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_it_writes_an_audit_row_on_every_view(verifier, member_factory, submission_factory, client_for):
    submission = submission_factory(member_factory(), with_document=True)
    client = reauthenticate(client_for(verifier, passkey=True))
    for _ in range(2):
        assert client.get(_url(submission)).status_code == 200
    entries = AuditEntry.objects.filter(action="licence.document_view", target_id=str(submission.pk))
    assert entries.count() == 2
    assert {entry.actor_id for entry in entries} == {verifier.pk}
    assert all(entry.data == {"as_owner": False} for entry in entries)


def test_it_lets_the_owner_download_their_own_document(member_factory, submission_factory, client_for):
    owner = member_factory()
    submission = submission_factory(owner, with_document=True)
    response = reauthenticate(client_for(owner)).get(_url(submission))
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="licence.document_view").data == {"as_owner": True}


def test_it_answers_404_to_everyone_else(member_factory, submission_factory, client_for):
    submission = submission_factory(member_factory(), with_document=True)
    for outsider in (
        member_factory(), member_factory(verified=True), member_factory(verified=True, roles=("moderator",)),
        member_factory(verified=True, roles=("staff",)),
    ):
        client = reauthenticate(client_for(outsider, passkey=True))
        assert client.get(_url(submission)).status_code == 404
    assert not AuditEntry.objects.filter(action="licence.document_view").exists()


def test_it_answers_404_when_there_is_no_document(verifier, member_factory, submission_factory, client_for):
    submission = submission_factory(member_factory())
    assert reauthenticate(client_for(verifier, passkey=True)).get(_url(submission)).status_code == 404


def test_it_does_not_count_the_sign_in_as_a_reauthentication(
    verifier, member_factory, submission_factory, client_for
):
    submission = submission_factory(member_factory(), with_document=True)
    response = client_for(verifier, passkey=True).get(_url(submission))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEntry.objects.filter(action="licence.document_view").exists()


def test_it_requires_a_recent_reauthentication(verifier, member_factory, submission_factory, client_for):
    submission = submission_factory(member_factory(), with_document=True)
    client = reauthenticate(client_for(verifier, passkey=True))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10), tick=False):
        response = client.get(_url(submission))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert f"next={_url(submission)}".replace("/", "%2F") in response["Location"]
    assert png_bytes()[:8] not in response.content
    assert not AuditEntry.objects.filter(action="licence.document_view").exists()


def test_it_requires_reauthentication_of_the_owner_too(member_factory, submission_factory, client_for):
    owner = member_factory()
    submission = submission_factory(owner, with_document=True)
    client = reauthenticate(client_for(owner))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10), tick=False):
        response = client.get(_url(submission))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="licence.document_view").exists()


def test_it_sends_a_verifier_without_a_passkey_session_to_step_up(
    verifier, member_factory, submission_factory, client_for
):
    submission = submission_factory(member_factory(), with_document=True)
    response = client_for(verifier).get(_url(submission))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:passkey_required"))
    assert not AuditEntry.objects.filter(action="licence.document_view").exists()


def test_it_serves_the_document_after_reauthenticating_through_allauth(
    member_factory, submission_factory, client_for
):
    from django.core.cache import cache

    from peerhaven.accounts.tests.factories import PASSWORD

    owner = member_factory()
    submission = submission_factory(owner, with_document=True)
    client = client_for(owner)
    assert client.get(_url(submission)).status_code == 302
    cache.clear()  # allauth's rate limits live in the cache
    response = client.post(f"{reverse('account_reauthenticate')}?next={_url(submission)}", {"password": PASSWORD})
    assert response.status_code == 302
    response = client.get(_url(submission))
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="licence.document_view").count() == 1
