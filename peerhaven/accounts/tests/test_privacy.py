"""Export of all my data and erasure of my account (the privacy registry, accounts' part)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.models import Profile, Role, RoleGrant, TermsVersion, User
from peerhaven.accounts.services import account_erase, profile_update, role_grant
from peerhaven.accounts.tests.reauth import reauthenticate
from peerhaven.core import privacy
from peerhaven.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ERASE_KEEP = {"posts": "keep", "confirmation": "delete my account"}
ERASE_REMOVE = {"posts": "remove", "confirmation": "delete my account"}


@pytest.fixture
def member(member_factory: Callable[..., User]) -> User:
    user = member_factory(verified=True)
    profile_update(
        actor=user, display_name="Dr Ada Example", pseudonym="quietfern", bio="Grief and loss.",
        employer="St Elsewhere Community Clinic",
    )
    return user


@pytest.fixture
def fresh_client(member: User, client_for: Callable[..., Client]) -> Client:
    client = client_for(member)
    reauthenticate(client)
    return client


@pytest.fixture
def recorded_section() -> Iterator[list[tuple[int, bool]]]:
    """A temporary registered section recording the erasures it was asked for."""
    calls: list[tuple[int, bool]] = []

    def exporter(user: Any) -> dict[str, Any]:
        return {"marker": f"section-for-{user.pk}"}

    def eraser(user: Any, *, keep_posts_as_former_member: bool) -> None:
        calls.append((user.pk, keep_posts_as_former_member))

    privacy.register("test_section", exporter=exporter, eraser=eraser)
    try:
        yield calls
    finally:
        privacy.unregister("test_section")


def _export(client: Client) -> dict[str, Any]:
    response = client.post(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="peerhaven-export-')
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)  # type: ignore[no-any-return]


# --- export --------------------------------------------------------------------------------
def test_it_exports_the_profile_with_the_decrypted_employer(fresh_client: Client, member: User) -> None:
    archive = _export(fresh_client)
    accounts = archive["sections"]["accounts"]
    assert archive["format"] == "peerhaven-export"
    assert accounts["account"]["email"] == member.email
    assert accounts["profile"]["pseudonym"] == "quietfern"
    assert accounts["profile"]["display_name"] == "Dr Ada Example"
    assert accounts["profile"]["employer"] == "St Elsewhere Community Clinic"
    assert accounts["profile"]["visibility"]["bio"] == "members"
    assert [a["email"] for a in accounts["email_addresses"]] == [member.email]
    assert [f["type"] for f in accounts["second_factors"]] == ["totp"]
    assert [t["version"] for t in accounts["terms_acceptances"]] == list(
        TermsVersion.objects.values_list("version", flat=True)
    )


def test_it_exports_every_registered_section(fresh_client: Client, member: User, recorded_section: list[Any]) -> None:
    archive = _export(fresh_client)
    assert archive["sections"]["test_section"] == {"marker": f"section-for-{member.pk}"}


def test_it_keeps_secrets_and_other_members_out_of_the_export(
    fresh_client: Client, member: User, member_factory: Callable[..., User]
) -> None:
    granter = member_factory(verified=True, roles=(Role.STAFF,))
    role_grant(actor=granter, user=member, role=Role.SUPPORTER)
    totp = Authenticator.objects.get(user=member, type=Authenticator.Type.TOTP)
    body = fresh_client.post(reverse("accounts:export")).content.decode()
    archive = json.loads(body)
    assert archive["sections"]["accounts"]["roles"][0]["role"] == Role.SUPPORTER
    assert totp.data["secret"] not in body
    assert member.password not in body
    assert granter.email not in body
    assert granter.profile.pseudonym not in body
    assert '"secret"' not in body and '"password"' not in body


def test_it_audits_the_export_without_content(fresh_client: Client, member: User) -> None:
    _export(fresh_client)
    entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.actor_id == member.pk
    exported = sorted(section.name for section in privacy.sections() if section.exporter is not None)
    assert "accounts" in exported
    assert entry.data == {"sections": exported}


def test_it_includes_my_own_security_log_without_targets(fresh_client: Client, member: User) -> None:
    accounts = _export(fresh_client)["sections"]["accounts"]
    actions = {entry["action"] for entry in accounts["security_log"]}
    assert "profile.update" in actions
    assert all(set(entry) == {"action", "at", "ip_address"} for entry in accounts["security_log"])


# --- erasure -------------------------------------------------------------------------------
def test_it_erases_the_member_and_their_personal_data(
    fresh_client: Client, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    user_id = member.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = fresh_client.post(reverse("accounts:erase"), ERASE_REMOVE)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:index")
    assert not User.objects.filter(pk=user_id).exists()
    assert not Profile.objects.filter(user_id=user_id).exists()
    assert not EmailAddress.objects.filter(user_id=user_id).exists()
    assert not Authenticator.objects.filter(user_id=user_id).exists()
    assert not RoleGrant.objects.filter(user_id=user_id).exists()


def test_it_signs_the_erased_member_out(fresh_client: Client, member: User) -> None:
    fresh_client.post(reverse("accounts:erase"), ERASE_REMOVE)
    response = fresh_client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_runs_every_eraser_with_the_members_choice(
    fresh_client: Client, member: User, recorded_section: list[tuple[int, bool]]
) -> None:
    user_id = member.pk
    fresh_client.post(reverse("accounts:erase"), ERASE_KEEP)
    assert recorded_section == [(user_id, True)]


def test_it_passes_the_choice_to_remove_posts(
    fresh_client: Client, member: User, recorded_section: list[tuple[int, bool]]
) -> None:
    user_id = member.pk
    fresh_client.post(reverse("accounts:erase"), ERASE_REMOVE)
    assert recorded_section == [(user_id, False)]


def test_it_keeps_audit_rows_and_audits_the_erasure_with_a_tombstone(fresh_client: Client, member: User) -> None:
    user_id, address = member.pk, member.email
    before = AuditEntry.objects.filter(actor_id=user_id).count()
    assert before > 0
    fresh_client.post(reverse("accounts:erase"), ERASE_KEEP)
    assert AuditEntry.objects.filter(actor_id=user_id).count() > before
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert entry.actor_id == user_id
    assert entry.data["tombstone"] == "former_member"
    assert entry.data["posts"] == "kept_as_former_member"
    assert address not in json.dumps(entry.data)
    assert "quietfern" not in json.dumps(entry.data)


def test_it_sends_a_goodbye_email_without_content(
    fresh_client: Client, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    address = member.email
    with django_capture_on_commit_callbacks(execute=True):
        fresh_client.post(reverse("accounts:erase"), ERASE_REMOVE)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [address]
    assert "deleted" in message.subject
    for private in ("quietfern", "Dr Ada Example", "St Elsewhere", "Grief"):
        assert private not in message.body and private not in message.subject


@pytest.mark.parametrize("typed", ["", "delete", "please delete my account"])
def test_it_refuses_erasure_without_the_typed_confirmation(fresh_client: Client, member: User, typed: str) -> None:
    response = fresh_client.post(reverse("accounts:erase"), {"posts": "remove", "confirmation": typed})
    assert response.status_code == 400
    assert User.objects.filter(pk=member.pk).exists()
    assert not AuditEntry.objects.filter(action="privacy.erase").exists()


def test_it_refuses_erasure_without_a_choice_about_posts(fresh_client: Client, member: User) -> None:
    response = fresh_client.post(reverse("accounts:erase"), {"confirmation": "delete my account"})
    assert response.status_code == 400
    assert User.objects.filter(pk=member.pk).exists()


def test_it_accepts_the_confirmation_in_any_case_and_spacing(fresh_client: Client, member: User) -> None:
    fresh_client.post(reverse("accounts:erase"), {"posts": "remove", "confirmation": "  Delete  my ACCOUNT "})
    assert not User.objects.filter(pk=member.pk).exists()


def test_it_keeps_an_anonymised_tombstone_when_a_row_still_protects_the_member(member: User) -> None:
    blocker = TermsVersion.objects.first()
    with mock.patch.object(User, "delete", side_effect=ProtectedError("protected", {blocker})):
        account_erase(actor=member, keep_posts_as_former_member=False)
    tombstone = User.objects.get(pk=member.pk)
    assert tombstone.erased_at is not None and tombstone.suspended_at is not None
    assert tombstone.email.endswith("@erased.invalid")
    assert not tombstone.has_usable_password()
    assert tombstone.public_name == "former member"
    assert not Profile.objects.filter(user=tombstone).exists()
    assert not EmailAddress.objects.filter(user=tombstone).exists()
    entry = AuditEntry.objects.get(action="privacy.erase_anonymised")
    assert entry.data == {"protected_by": ["accounts.termsversion"]}
