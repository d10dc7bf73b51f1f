"""The member card: public name, and each profile field only where its visibility allows."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import Profession, User
from peerhaven.accounts.services import profile_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(member_factory: Callable[..., User]) -> User:
    user = member_factory(verified=True)
    profile_update(
        actor=user,
        display_name="Dr Ada Example",
        pseudonym="quietfern",
        pronouns="she/her",
        profession=Profession.PSYCHOLOGIST,
        specialties=["grief", "trauma"],
        region="Northern Moor",
        bio="Twenty years in community mental health.",
        employer="St Elsewhere Community Clinic",
        visibility={
            "pronouns": "members", "profession": "members", "specialties": "members",
            "display_name": "peers", "region": "peers", "bio": "private",
        },
    )
    return user


def _card(client: Client, member: User) -> str:
    response = client.get(reverse("accounts:member", kwargs={"public_id": member.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_public_name_and_fields_open_to_members(owner: User, verified_client: Client) -> None:
    page = _card(verified_client, owner)
    assert "quietfern" in page
    assert "she/her" in page
    assert "Psychologist" in page
    assert "grief, trauma" in page


def test_it_hides_fields_kept_for_peers_and_private_fields_from_other_members(
    owner: User, verified_client: Client
) -> None:
    page = _card(verified_client, owner)
    assert "Dr Ada Example" not in page  # display name: peers only
    assert "Northern Moor" not in page  # region: peers only
    assert "Twenty years" not in page  # bio: private


def test_it_never_shows_the_employer_to_another_member(owner: User, verified_client: Client) -> None:
    assert "St Elsewhere" not in _card(verified_client, owner)


def test_it_shows_the_member_all_their_own_fields(owner: User, client_for: Callable[..., Client]) -> None:
    page = _card(client_for(owner), owner)
    for value in ("quietfern", "Dr Ada Example", "Northern Moor", "Twenty years"):
        assert value in page


def test_it_uses_the_display_name_as_public_name_when_the_member_chose_it(
    owner: User, verified_client: Client
) -> None:
    profile_update(actor=owner, default_identity="display_name")
    page = _card(verified_client, owner)
    assert "Dr Ada Example" in page
    assert "quietfern" not in page


@pytest.mark.parametrize("direction", ["viewer_blocked_owner", "owner_blocked_viewer"])
def test_it_answers_404_when_either_member_blocked_the_other(
    owner: User, verified_member: User, verified_client: Client, direction: str
) -> None:
    from peerhaven.safety.services import block_create

    if direction == "viewer_blocked_owner":
        block_create(actor=verified_member, member=owner)
    else:
        block_create(actor=owner, member=verified_member)
    response = verified_client.get(reverse("accounts:member", kwargs={"public_id": owner.public_id}))
    assert response.status_code == 404


def test_it_answers_404_for_an_unknown_member(verified_client: Client) -> None:
    response = verified_client.get(reverse("accounts:member", kwargs={"public_id": uuid.uuid4()}))
    assert response.status_code == 404


def test_it_answers_404_for_a_suspended_member(owner: User, verified_client: Client) -> None:
    User.objects.filter(pk=owner.pk).update(suspended_at=timezone.now())
    response = verified_client.get(reverse("accounts:member", kwargs={"public_id": owner.public_id}))
    assert response.status_code == 404


def test_it_shows_no_card_to_a_member_who_is_not_verified(
    owner: User, member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    client = client_for(member_factory())
    response = client.get(reverse("accounts:member", kwargs={"public_id": owner.public_id}))
    assert response.status_code == 403
    assert "quietfern" not in response.content.decode()


def test_it_offers_block_and_report_on_another_members_card_only(
    owner: User, verified_client: Client, client_for: Callable[..., Client]
) -> None:
    report_url = reverse("safety:report_member", kwargs={"public_id": owner.public_id})
    assert report_url in _card(verified_client, owner)
    assert report_url not in _card(client_for(owner), owner)
