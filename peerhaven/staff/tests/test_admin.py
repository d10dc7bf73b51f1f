"""The Django admin: superusers only, in a passkey session, and read-only for audited data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.models import Role
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.audit import audit_log
from peerhaven.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_refuses_a_superuser_without_a_passkey_session() -> None:
    superuser = make_member(verified=True, is_superuser=True)
    client = sign_in(Client(), superuser)
    response = client.get("/django-admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("core:passkey_required"))
    assert response.status_code == 403


def test_it_sends_visitors_to_the_site_sign_in_not_the_admin_form() -> None:
    response = Client().get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_it_hides_the_admin_from_staff_who_are_not_superusers() -> None:
    staff = make_member(verified=True, roles=(Role.STAFF,))
    response = sign_in(Client(), staff, passkey=True).get("/django-admin/", follow=True)
    assert response.status_code == 404


def test_it_shows_audit_entries_to_a_passkey_superuser_but_never_changes_them() -> None:
    superuser = make_member(verified=True, is_superuser=True)
    entry = audit_log("test.entry", actor=superuser, target=superuser)
    client = sign_in(Client(), superuser, passkey=True)
    assert client.get("/django-admin/").status_code == 200
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    change_url = reverse("admin:core_auditentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'type="submit"' not in page.content or b"_save" not in page.content
    assert client.post(change_url, {"action": "tampered"}).status_code == 403
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "test.entry"
    assert AuditEntry.objects.count() >= 1


def test_it_leaves_encrypted_fields_out_of_the_admin() -> None:
    superuser = make_member(verified=True, is_superuser=True)
    member = make_member(verified=True)
    member.profile.employer = "Secret Clinic"
    member.profile.save(update_fields=["employer"])
    client = sign_in(Client(), superuser, passkey=True)
    page = client.get(reverse("admin:accounts_profile_change", args=[member.profile.pk]))
    assert page.status_code == 200
    assert b"Secret Clinic" not in page.content
    assert client.post(reverse("admin:accounts_profile_change", args=[member.profile.pk]), {}).status_code == 403
