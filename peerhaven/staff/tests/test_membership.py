"""Membership policy and invitations: who may sign up, without revealing who has an account."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.staff.models import Invitation, MembershipPolicy
from peerhaven.staff.services import invitation_create, invitation_revoke, membership_policy_update

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def _staff():
    return make_member(verified=True, roles=("staff",))


def _policy(**values) -> MembershipPolicy:
    settings = {"open_signup": False, "invitations": False, "allowed_domains": [], **values}
    return membership_policy_update(actor=_staff(), **settings)


def _sign_up(client: Client, email: str):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_it_keeps_sign_up_open_before_staff_set_a_policy() -> None:
    response = _sign_up(Client(), "new@example.org")
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.org").exists()


def test_it_closes_the_sign_up_page_when_membership_is_by_invitation_only() -> None:
    _policy(invitations=True)
    response = Client().get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed" in [template.name for template in response.templates][0]
    _sign_up(Client(), "someone@example.org")
    assert not User.objects.filter(email="someone@example.org").exists()


def test_it_admits_only_allowed_domains() -> None:
    _policy(allowed_domains=["clinic.example.org"])
    assert _sign_up(Client(), "ok@clinic.example.org").status_code == 302
    assert User.objects.filter(email="ok@clinic.example.org").exists()
    refused = _sign_up(Client(), "no@elsewhere.example.org")
    assert refused.status_code == 200
    assert "cannot join here" in refused.content.decode()
    assert not User.objects.filter(email="no@elsewhere.example.org").exists()


def test_it_gives_the_same_answer_whether_or_not_the_address_has_an_account() -> None:
    make_member(email="taken@elsewhere.example.org")
    _policy(allowed_domains=["clinic.example.org"])
    existing = _sign_up(Client(), "taken@elsewhere.example.org")
    unknown = _sign_up(Client(), "free@elsewhere.example.org")
    assert existing.status_code == unknown.status_code == 200
    assert existing.context["form"].errors == unknown.context["form"].errors


def test_it_normalises_and_validates_the_domain_list() -> None:
    policy = _policy(allowed_domains=["@Clinic.Example.org", "clinic.example.org."])
    assert policy.allowed_domains == ["clinic.example.org"]
    staff = sign_in(Client(), _staff(), passkey=True)
    response = staff.post(reverse("staff:membership"), {"invitations": "on", "allowed_domains": "not a domain"})
    assert response.status_code == 400
    assert MembershipPolicy.objects.get().allowed_domains == ["clinic.example.org"]


def test_it_audits_policy_changes_without_the_domains() -> None:
    staff = _staff()
    client = sign_in(Client(), staff, passkey=True)
    response = client.post(reverse("staff:membership"), {"invitations": "on", "allowed_domains": "a.example.org\nb.example.org"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="membership_policy.update", actor_id=staff.pk)
    assert entry.data == {"open_signup": False, "invitations": True, "allowed_domain_count": 2}
    assert "example" not in str(entry.data)


def test_it_e_mails_an_invitation_carrying_only_the_link(django_capture_on_commit_callbacks) -> None:
    staff = _staff()
    client = sign_in(Client(), staff, passkey=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:invitations"), {"email": "Invitee@Example.org"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "invitee@example.org"
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=14)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["invitee@example.org"]
    assert "/staff/invitations/" in message.body and "/accept/" in message.body
    assert staff.email not in message.body and str(staff.profile.pseudonym) not in message.body
    assert AuditEntry.objects.filter(action="invitation.create", actor_id=staff.pk, target_id=str(invitation.pk)).exists()


def test_it_signs_up_through_an_invitation_when_membership_is_by_invitation_only() -> None:
    _policy(invitations=True)
    invitation, token = invitation_create(actor=_staff(), email="invitee@example.org", send_email=False)
    visitor = Client()
    response = visitor.get(reverse("staff:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 302 and response["Location"] == reverse("account_signup")
    page = visitor.get(reverse("account_signup"))
    assert page.status_code == 200
    assert page.context["form"]["email"].value() == "invitee@example.org"
    assert _sign_up(visitor, "invitee@example.org").status_code == 302
    member = User.objects.get(email="invitee@example.org")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == member
    # The link reached the inbox: the address counts as confirmed.
    assert EmailAddress.objects.get(user=member).verified
    assert AuditEntry.objects.filter(action="invitation.accept", actor_id=member.pk).exists()
    # Used once only.
    again = Client().get(reverse("staff:invitation_accept", kwargs={"token": token}))
    assert again.status_code == 400


def test_it_refuses_an_invitation_for_another_address() -> None:
    _policy(invitations=True)
    _invitation, token = invitation_create(actor=_staff(), email="invitee@example.org", send_email=False)
    visitor = Client()
    visitor.get(reverse("staff:invitation_accept", kwargs={"token": token}))
    response = _sign_up(visitor, "friend@example.org")
    assert response.status_code == 200
    assert not User.objects.filter(email="friend@example.org").exists()


def test_it_answers_kindly_for_expired_revoked_and_unknown_invitations() -> None:
    staff = _staff()
    _expired, expired_token = invitation_create(actor=staff, email="late@example.org", send_email=False)
    revoked, revoked_token = invitation_create(actor=staff, email="gone@example.org", send_email=False)
    invitation_revoke(actor=staff, invitation=revoked)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = Client().get(reverse("staff:invitation_accept", kwargs={"token": expired_token}))
    assert response.status_code == 400
    assert "cannot be used" in response.content.decode()
    assert Client().get(reverse("staff:invitation_accept", kwargs={"token": revoked_token})).status_code == 400
    assert Client().get(reverse("staff:invitation_accept", kwargs={"token": "nope"})).status_code == 400
    assert AuditEntry.objects.filter(action="invitation.revoke", actor_id=staff.pk).exists()


def test_it_replaces_a_waiting_invitation_when_the_address_is_invited_again() -> None:
    staff = _staff()
    first, first_token = invitation_create(actor=staff, email="twice@example.org", send_email=False)
    invitation_create(actor=staff, email="twice@example.org", send_email=False)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Client().get(reverse("staff:invitation_accept", kwargs={"token": first_token})).status_code == 400


def test_it_revokes_an_invitation_from_the_console() -> None:
    staff = _staff()
    invitation, _token = invitation_create(actor=staff, email="x@example.org", send_email=False)
    client = sign_in(Client(), staff, passkey=True)
    assert client.post(reverse("staff:invitation_revoke", kwargs={"pk": invitation.pk})).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.post(reverse("staff:invitation_revoke", kwargs={"pk": invitation.pk})).status_code == 409
