"""One-click unsubscribe: a signed token per member and kind; a bad token changes nothing."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from peerhaven.core.models import AuditEntry
from peerhaven.notifications.models import NotificationPreference
from peerhaven.notifications.selectors import preference_for
from peerhaven.notifications.services import notify
from peerhaven.notifications.unsubscribe import unsubscribe_token_make

pytestmark = pytest.mark.django_db


def _url(member, kind: str = "licence.verified") -> str:
    return reverse("notifications:unsubscribe", args=[unsubscribe_token_make(user=member, kind=kind)])


def test_it_asks_before_unsubscribing(member_factory):
    member = member_factory()
    response = Client().get(_url(member))
    assert response.status_code == 200
    assert "Your licence is verified" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_it_turns_off_email_for_that_kind_only(member_factory):
    member = member_factory()
    response = Client().post(_url(member))
    assert response.status_code == 200
    assert preference_for(member, "licence.verified") == (True, False)
    assert preference_for(member, "licence.rejected") == (True, True)
    entry = AuditEntry.objects.get(action="notifications.email.unsubscribe")
    assert entry.data == {"kind": "licence.verified"} and entry.target_id == str(member.pk)


def test_it_accepts_a_one_click_post_without_a_csrf_token(member_factory):
    member = member_factory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(member), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert preference_for(member, "licence.verified")[1] is False


def test_it_works_from_the_link_in_the_email(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=member, kind="licence.rejected")
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    path = urlsplit(header.strip("<>")).path
    assert Client().post(path).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=member, kind="licence.rejected")
    assert mail.outbox == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_400_to_a_tampered_token_and_changes_nothing(member_factory, method):
    member = member_factory()
    token = unsubscribe_token_make(user=member, kind="licence.verified")
    forged_payload = signing.dumps({"u": str(member.public_id), "k": "licence.rejected"}, salt="another.salt")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", forged_payload):
        response = getattr(Client(), method)(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.email.unsubscribe").exists()


def test_it_answers_400_to_an_unknown_kind_or_member(member_factory):
    member = member_factory()
    unknown_kind = reverse("notifications:unsubscribe", args=[unsubscribe_token_make(user=member, kind="no.such.kind")])
    assert Client().post(unknown_kind).status_code == 400
    gone = member_factory()
    url = _url(gone)
    gone.delete()
    assert Client().post(url).status_code == 400
    assert not NotificationPreference.objects.exists()


def test_it_gives_each_member_their_own_token(member_factory):
    first, second = member_factory(), member_factory()
    assert _url(first) != _url(second)
    Client().post(_url(first))
    assert preference_for(second, "licence.verified") == (True, True)
