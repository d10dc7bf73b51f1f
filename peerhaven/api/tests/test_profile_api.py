"""/api/v1/me: read and change one's own profile, with per-field messages for bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.models import PROFILE_VISIBILITY_DEFAULTS, Profile
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.profile_api import VisibilityIn, VisibilityOut
from peerhaven.api.tests.conftest import bearer_for
from peerhaven.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _patch(client: Client, body: Any, **extra: Any) -> Any:
    return client.patch(ME, json.dumps(body), content_type="application/json", **extra)


def _fields(response: Any) -> dict[str, str]:
    return {error["field"]: error["msg"] for error in response.json()["detail"]}


def test_it_reads_my_profile() -> None:
    member = make_member(verified=True)
    response = sign_in(Client(), member).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["pseudonym"] == f"peer{member.pk}"
    assert body["public_name"] == f"peer{member.pk}"
    assert set(body["visibility"]) == set(PROFILE_VISIBILITY_DEFAULTS)


def test_it_changes_only_the_fields_sent_through_the_service() -> None:
    member = make_member(verified=True)
    response = _patch(
        sign_in(Client(), member),
        {"pronouns": " she/her ", "country": "gb", "specialties": ["grief", " trauma "], "visibility": {"bio": "private"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pronouns"] == "she/her"
    assert body["country"] == "GB"
    assert body["specialties"] == ["grief", "trauma"]
    assert body["visibility"]["bio"] == "private"
    assert body["visibility"]["pronouns"] == PROFILE_VISIBILITY_DEFAULTS["pronouns"]
    profile = Profile.objects.get(user=member)
    assert profile.pseudonym == f"peer{member.pk}"  # untouched
    entry = AuditEntry.objects.get(action="profile.update", actor_id=member.pk)
    assert entry.data["fields"] == ["country", "pronouns", "specialties", "visibility"]


def test_it_answers_422_with_a_message_per_field() -> None:
    member = make_member(verified=True)
    response = _patch(
        sign_in(Client(), member),
        {"country": "Britain", "time_zone": "Mars/Olympus", "bio": "x" * 1001, "profession": "wizard"},
    )
    assert response.status_code == 422
    fields = _fields(response)
    assert set(fields) == {"country", "time_zone", "bio", "profession"}
    assert "two-letter" in fields["country"]
    assert all(fields.values())
    assert Profile.objects.get(user=member).country == ""


def test_it_refuses_unknown_fields_and_nulls() -> None:
    client = sign_in(Client(), make_member(verified=True))
    assert set(_fields(_patch(client, {"email": "x@example.org"}))) == {"email"}
    assert set(_fields(_patch(client, {"bio": None}))) == {"bio"}
    assert set(_fields(_patch(client, {"visibility": {"employer": "members"}}))) == {"visibility.employer"}


def test_it_refuses_control_characters() -> None:
    client = sign_in(Client(), make_member(verified=True))
    response = _patch(client, {"display_name": "a\x00b", "region": "\ud800"})
    assert response.status_code == 422
    assert set(_fields(response)) == {"display_name", "region"}


def test_it_refuses_a_pseudonym_someone_else_has() -> None:
    other = make_member()
    client = sign_in(Client(), make_member(verified=True))
    response = _patch(client, {"pseudonym": f"PEER{other.pk}"})
    assert response.status_code == 422
    assert "taken" in _fields(response)["pseudonym"]


def test_it_answers_400_for_a_body_that_is_not_json() -> None:
    client = sign_in(Client(), make_member(verified=True))
    response = client.patch(ME, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_it_enforces_csrf_for_session_changes() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(enforce_csrf_checks=True), member)
    assert client.get(ME).status_code == 200  # safe methods need no token
    refused = _patch(client, {"pronouns": "they/them"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/api-tokens/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = _patch(client, {"pronouns": "they/them"}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert Profile.objects.get(user=member).pronouns == "they/them"


def test_it_needs_no_csrf_token_with_an_access_token() -> None:
    member = make_member(verified=True)
    client = Client(enforce_csrf_checks=True)
    response = _patch(client, {"pronouns": "they/them"}, **bearer_for(member))
    assert response.status_code == 200


def test_it_opens_no_session_for_a_token_call() -> None:
    member = make_member(verified=True)
    response = _patch(Client(), {"time_zone": "Europe/Lisbon"}, **bearer_for(member))
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Europe/Lisbon"
    assert "sessionid" not in response.cookies


def test_it_keeps_the_session_time_zone_for_a_session_call() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    assert _patch(client, {"time_zone": "Europe/Lisbon"}).status_code == 200
    assert client.session["peerhaven_tz"] == "Europe/Lisbon"


def test_it_answers_401_to_visitors() -> None:
    response = Client().get(ME)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_sends_members_without_a_second_factor_to_set_one_up() -> None:
    response = sign_in(Client(), make_member(mfa=False)).get(ME)
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_it_keeps_the_visibility_schemas_in_step_with_the_profile() -> None:
    assert set(VisibilityIn.model_fields) == set(PROFILE_VISIBILITY_DEFAULTS)
    assert set(VisibilityOut.model_fields) == set(PROFILE_VISIBILITY_DEFAULTS)
