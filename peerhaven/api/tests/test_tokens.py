"""Personal access tokens: issued on the site, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.models import PersonalAccessToken, TokenScope
from peerhaven.api.services import MAX_ACTIVE_TOKENS, token_create, token_revoke
from peerhaven.api.tests.conftest import bearer_for
from peerhaven.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _create(client: Client, **data: object) -> object:
    payload = {"name": "calendar sync", "scopes": [TokenScope.PROFILE_READ], "lifetime": "90", **data}
    return client.post(reverse("api:tokens"), payload)


def test_it_shows_the_secret_once_and_stores_only_its_hash() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    response = _create(client)
    assert response.status_code == 200
    plaintext = response.context["issued"].plaintext
    assert plaintext.startswith("ph_")
    assert plaintext in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    token = PersonalAccessToken.objects.get(user=member)
    secret = plaintext.split("_", 2)[2]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_personalaccesstoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored
    assert token.scopes == [TokenScope.PROFILE_READ]
    assert token.expires_at is not None
    assert dt.timedelta(days=89) < token.expires_at - timezone.now() <= dt.timedelta(days=90)

    listing = client.get(reverse("api:tokens"))
    assert "calendar sync" in listing.content.decode()
    assert secret not in listing.content.decode()
    assert AuditEntry.objects.filter(action="token.create", actor_id=member.pk).exists()


def test_it_refuses_a_token_without_a_name_or_scope() -> None:
    client = sign_in(Client(), make_member())
    response = _create(client, name="", scopes=[])
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert not PersonalAccessToken.objects.exists()


def test_it_refuses_an_unknown_scope() -> None:
    client = sign_in(Client(), make_member())
    assert _create(client, scopes=["admin:everything"]).status_code == 400
    assert not PersonalAccessToken.objects.exists()


def test_it_caps_the_number_of_active_tokens() -> None:
    member = make_member()
    for _ in range(MAX_ACTIVE_TOKENS):
        token_create(actor=member, name="t", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    response = _create(sign_in(Client(), member))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert PersonalAccessToken.objects.filter(user=member).count() == MAX_ACTIVE_TOKENS


def test_it_revokes_a_token_so_it_stops_working() -> None:
    member = make_member(verified=True)
    headers = bearer_for(member)
    api = Client()
    assert api.get(ME, **headers).status_code == 200
    token = PersonalAccessToken.objects.get(user=member)

    response = sign_in(Client(), member).post(reverse("api:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke", target_id=str(token.pk)).exists()
    refused = api.get(ME, **headers)
    assert refused.status_code == 401
    assert refused.json()["detail"]
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_it_answers_404_for_someone_elses_token() -> None:
    owner, stranger = make_member(), make_member()
    issued = token_create(actor=owner, name="mine", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    response = sign_in(Client(), stranger).post(reverse("api:token_revoke", kwargs={"pk": issued.token.pk}))
    assert response.status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_it_refuses_revoking_with_get() -> None:
    member = make_member()
    issued = token_create(actor=member, name="mine", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    response = sign_in(Client(), member).get(reverse("api:token_revoke", kwargs={"pk": issued.token.pk}))
    assert response.status_code == 405


def test_it_refuses_an_expired_token() -> None:
    member = make_member(verified=True)
    issued = token_create(
        actor=member, name="short", scopes=[TokenScope.PROFILE_READ], lifetime=dt.timedelta(days=30)
    )
    header = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    assert Client().get(ME, **header).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert Client().get(ME, **header).status_code == 401


def test_it_stops_a_suspended_members_tokens_at_once() -> None:
    member = make_member(verified=True)
    headers = bearer_for(member)
    assert Client().get(ME, **headers).status_code == 200
    member.suspended_at = timezone.now()
    member.save(update_fields=["suspended_at"])
    assert Client().get(ME, **headers).status_code == 401


@pytest.mark.parametrize(
    "presented",
    ["", "ph_", "ph_0123456789abcdef_", "nonsense", "ph_0123456789abcdef_" + "x" * 43, "Basic abc"],
)
def test_it_refuses_malformed_or_unknown_tokens(presented: str) -> None:
    make_member(verified=True)
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {presented}")
    assert response.status_code == 401


def test_it_refuses_a_right_key_id_with_a_wrong_secret() -> None:
    member = make_member(verified=True)
    issued = token_create(actor=member, name="t", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    forged = issued.plaintext[:-4] + ("aaaa" if not issued.plaintext.endswith("aaaa") else "bbbb")
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401


def test_it_enforces_scopes_per_operation() -> None:
    member = make_member(verified=True)
    read_only = bearer_for(member, [TokenScope.PROFILE_READ])
    api = Client()
    assert api.get(ME, **read_only).status_code == 200
    refused = api.patch(ME, {"pronouns": "they/them"}, content_type="application/json", **read_only)
    assert refused.status_code == 403
    assert "profile:write" in refused.json()["detail"]
    other_scope = bearer_for(member, [TokenScope.NOTIFICATIONS_READ])
    assert api.get(ME, **other_scope).status_code == 403


def test_it_holds_tokens_to_the_member_gate() -> None:
    no_mfa = make_member(mfa=False, verified=True)
    response = Client().get(ME, **bearer_for(no_mfa))
    assert response.status_code == 403
    assert response.json()["detail"]


def test_it_records_use_at_most_once_a_minute() -> None:
    member = make_member(verified=True)
    headers = bearer_for(member)
    token = PersonalAccessToken.objects.get(user=member)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().get(ME, **headers)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        Client().get(ME, **headers)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        Client().get(ME, **headers)
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_it_revokes_idempotently_with_one_audit_entry() -> None:
    member = make_member()
    issued = token_create(actor=member, name="t", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    token_revoke(actor=member, token=issued.token)
    token_revoke(actor=member, token=issued.token)
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_it_prefers_a_presented_token_over_the_session() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    assert client.get(ME).status_code == 200
    assert client.get(ME, HTTP_AUTHORIZATION="Bearer ph_revoked").status_code == 401
