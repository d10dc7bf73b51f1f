"""GET /me/licence: the member's own standing, never the licence number."""

from __future__ import annotations

import json

import pytest
from ninja.testing import TestClient

from peerhaven.verification.api import router
from peerhaven.verification.services import licence_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    return TestClient(router)


def test_it_reports_a_member_with_no_submission(member_factory, api_client):
    member = member_factory()
    response = api_client.get("/me/licence", user=member)
    assert response.status_code == 200
    assert response.json() == {"status": "none", "verified_until": None, "latest_submission": None}


def test_it_reports_the_verified_standing_without_the_number(member_factory, submission_factory, api_client):
    member = member_factory()
    verifier = member_factory(verified=True, roles=("verifier",))
    submission = licence_approve(actor=verifier, submission=submission_factory(member, number="SECRET-4242"))
    member.refresh_from_db()
    response = api_client.get("/me/licence", user=member)
    body = response.json()
    assert body["status"] == "verified"
    assert body["verified_until"] == submission.expires_on.isoformat()
    assert body["latest_submission"]["status"] == "verified"
    assert "4242" not in json.dumps(body)


def test_it_refuses_anonymous_callers(api_client):
    response = api_client.get("/me/licence")
    assert response.status_code == 401
