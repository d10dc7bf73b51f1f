"""The staff console: member list and detail, roles (two staff for staff), suspension and the
staff-assisted reset of a lost second factor. Every staff action leaves an audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.models import Profile, Role, RoleGrant, User
from peerhaven.accounts.services import member_group
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.models import TokenScope
from peerhaven.api.services import token_create
from peerhaven.core.models import AuditEntry
from peerhaven.notifications.models import Notification
from peerhaven.staff.models import (
    MfaResetRequest,
    RequestStatus,
    StaffGrantRequest,
    SuspensionRecord,
)

pytestmark = pytest.mark.django_db


def _staff() -> User:
    return make_member(verified=True, roles=(Role.STAFF,))


def _console(user: User) -> Client:
    return sign_in(Client(), user, passkey=True)


def _url(name: str, member: User, **extra: object) -> str:
    return reverse(f"staff:{name}", kwargs={"public_id": member.public_id, **extra})


def _audited(action: str, *, actor: User, target: User) -> bool:
    return AuditEntry.objects.filter(action=action, actor_id=actor.pk, target_id=str(target.pk)).exists()


# --- list and detail -----------------------------------------------------------------------------
def test_it_filters_members_by_role_status_suspension_date_and_search() -> None:
    staff = _staff()
    moderator = make_member(verified=True, roles=(Role.MODERATOR,))
    suspended = make_member(suspended=True)
    old = make_member(date_joined=timezone.now() - dt.timedelta(days=400))
    Profile.objects.filter(user=moderator).update(pseudonym="QuietHeron")
    client = _console(staff)

    def shown(**query: str) -> set[int]:
        response = client.get(reverse("staff:members"), query)
        assert response.status_code == 200
        return {member.pk for member in response.context["page"]}

    assert shown(role="moderator") == {moderator.pk}
    assert shown(suspended="yes") == {suspended.pk}
    assert suspended.pk not in shown(suspended="no")
    assert shown(verification_status="none") >= {suspended.pk, old.pk}
    assert moderator.pk not in shown(verification_status="none")
    assert shown(q="quietheron") == {moderator.pk}
    assert shown(q=old.email) == {old.pk}
    until = (timezone.now() - dt.timedelta(days=300)).date().isoformat()
    assert shown(joined_until=until) == {old.pk}
    assert old.pk not in shown(joined_since=timezone.localdate().isoformat())


def test_it_keeps_the_member_list_at_a_fixed_query_count() -> None:
    client = _console(_staff())
    counts = []
    have = 1
    for size in (1, 50, 500):
        users = User.objects.bulk_create(User(email=f"bulk{size}-{index}@example.org") for index in range(size - have))
        Profile.objects.bulk_create(Profile(user=user, pseudonym=f"bulk{user.pk}") for user in users)
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=Role.SUPPORTER) for user in users[::3])
        have = size
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("staff:members")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_it_audits_each_staff_look_at_a_member() -> None:
    staff, member = _staff(), make_member(verified=True)
    response = _console(staff).get(_url("member", member))
    assert response.status_code == 200
    assert member.email in response.content.decode()
    assert _audited("member.staff_view", actor=staff, target=member)


# --- roles ---------------------------------------------------------------------------------------
def test_it_grants_and_revokes_roles_with_audit_rows() -> None:
    staff, member = _staff(), make_member(verified=True)
    client = _console(staff)
    for role in (Role.VERIFIER, Role.MODERATOR, Role.FACILITATOR, Role.SUPPORTER):
        assert client.post(_url("member_role_add", member), {"role": role}).status_code == 302
    assert set(RoleGrant.objects.filter(user=member).values_list("role", flat=True)) == {
        Role.VERIFIER, Role.MODERATOR, Role.FACILITATOR, Role.SUPPORTER,
    }
    assert AuditEntry.objects.filter(action="role.grant", actor_id=staff.pk, target_id=str(member.pk)).count() == 4
    assert client.post(_url("member_role_remove", member, role=Role.MODERATOR)).status_code == 302
    assert not RoleGrant.objects.filter(user=member, role=Role.MODERATOR).exists()
    assert _audited("role.revoke", actor=staff, target=member)


def test_it_never_grants_staff_directly() -> None:
    staff, member = _staff(), make_member(verified=True)
    response = _console(staff).post(_url("member_role_add", member), {"role": Role.STAFF})
    assert response.status_code == 400
    assert not RoleGrant.objects.filter(user=member, role=Role.STAFF).exists()


def test_it_needs_a_second_staff_member_to_make_someone_staff() -> None:
    first, second, member = _staff(), _staff(), make_member(verified=True)
    assert _console(first).post(_url("staff_grant_request", member)).status_code == 302
    grant_request = StaffGrantRequest.objects.get(member=member)
    assert _audited("staff_grant.request", actor=first, target=member)
    decide = reverse("staff:staff_grant_decide", kwargs={"pk": grant_request.pk})

    refused = _console(first).post(decide, {"decision": "approve"})
    assert refused.status_code == 403
    assert not RoleGrant.objects.filter(user=member, role=Role.STAFF).exists()

    assert _console(second).post(decide, {"decision": "approve"}).status_code == 302
    assert RoleGrant.objects.filter(user=member, role=Role.STAFF).exists()
    grant_request.refresh_from_db()
    assert grant_request.status == RequestStatus.APPROVED and grant_request.decided_by == second
    assert _audited("staff_grant.approve", actor=second, target=member)
    assert _audited("role.grant", actor=second, target=member)
    # Decided once: a late second click is a kind conflict, not a second grant.
    third = _staff()
    assert _console(third).post(decide, {"decision": "decline"}).status_code == 409


def test_it_lets_a_second_staff_member_decline_a_staff_proposal() -> None:
    first, second, member = _staff(), _staff(), make_member(verified=True)
    _console(first).post(_url("staff_grant_request", member))
    grant_request = StaffGrantRequest.objects.get(member=member)
    response = _console(second).post(reverse("staff:staff_grant_decide", kwargs={"pk": grant_request.pk}), {"decision": "decline"})
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(user=member, role=Role.STAFF).exists()
    assert _audited("staff_grant.decline", actor=second, target=member)
    # A waiting proposal is one at a time.
    _console(first).post(_url("staff_grant_request", member))
    assert _console(second).post(_url("staff_grant_request", member)).status_code == 409


def test_it_refuses_to_let_staff_remove_their_own_staff_role() -> None:
    staff = _staff()
    assert _console(staff).post(_url("member_role_remove", staff, role=Role.STAFF)).status_code == 403
    assert RoleGrant.objects.filter(user=staff, role=Role.STAFF).exists()


# --- suspension ----------------------------------------------------------------------------------
def test_it_suspends_a_member_ending_sessions_tokens_and_sockets_at_once(django_capture_on_commit_callbacks) -> None:
    staff, member = _staff(), make_member(verified=True)
    bystander = make_member(verified=True)
    member_browser = sign_in(Client(), member)
    bystander_browser = sign_in(Client(), bystander)
    issued = token_create(actor=member, name="sync", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    assert Client().get("/api/v1/me", **bearer).status_code == 200
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(member_group(member.pk), channel)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _console(staff).post(_url("member_suspend", member), {"suspend-reason": "Harassed a peer in chat."})
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.suspended_at is not None
    assert not Session.objects.filter(session_key=member_browser.session.session_key).exists()
    assert Session.objects.filter(session_key=bystander_browser.session.session_key).exists()
    assert member_browser.get(reverse("core:home")).status_code == 302
    assert Client().get("/api/v1/me", **bearer).status_code == 401
    assert async_to_sync(layer.receive)(channel) == {"type": "member.suspended"}
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "Harassed" not in mail.outbox[0].body and "Harassed" not in mail.outbox[0].subject
    record = SuspensionRecord.objects.get(member=member)
    assert record.reason == "Harassed a peer in chat."
    assert _audited("member.suspend", actor=staff, target=member)
    assert "Harassed" not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_it_keeps_the_suspension_reason_encrypted_at_rest() -> None:
    staff, member = _staff(), make_member(verified=True)
    _console(staff).post(_url("member_suspend", member), {"suspend-reason": "Private reason."})
    record = SuspensionRecord.objects.get(member=member)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM staff_suspensionrecord WHERE id = %s", [record.pk])
        raw = cursor.fetchone()[0]
    assert "Private" not in raw


def test_it_needs_a_reason_to_suspend_and_refuses_self_suspension() -> None:
    staff, member = _staff(), make_member(verified=True)
    assert _console(staff).post(_url("member_suspend", member), {"suspend-reason": "  "}).status_code == 400
    member.refresh_from_db()
    assert member.suspended_at is None
    assert _console(staff).post(_url("member_suspend", staff), {"suspend-reason": "Oops."}).status_code == 403


def test_it_reinstates_a_member_with_a_reason(django_capture_on_commit_callbacks) -> None:
    staff, member = _staff(), make_member(verified=True, suspended=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _console(staff).post(_url("member_reinstate", member), {"reinstate-reason": "Appeal upheld."})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.suspended_at is None
    assert _audited("member.reinstate", actor=staff, target=member)
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "Appeal" not in mail.outbox[0].body
    assert sign_in(Client(), member).get(reverse("core:home")).status_code == 200


# --- lost second factor --------------------------------------------------------------------------
def _open_reset(opener: User, member: User) -> MfaResetRequest:
    response = _console(opener).post(
        _url("mfa_reset_new", member),
        {"video_call_with_id": "on", "licence_number_matched": "on", "note": "Saw their ID on a call."},
    )
    assert response.status_code == 302
    return MfaResetRequest.objects.get(member=member, status=RequestStatus.PENDING)


def test_it_resets_a_lost_second_factor_with_two_staff(django_capture_on_commit_callbacks) -> None:
    opener, approver, member = _staff(), _staff(), make_member(verified=True)
    member_browser = sign_in(Client(), member)
    reset = _open_reset(opener, member)
    assert reset.checks_done == ["video_call_with_id", "licence_number_matched"]
    assert _audited("mfa_reset.open", actor=opener, target=member)
    decide = reverse("staff:mfa_reset", kwargs={"pk": reset.pk})

    assert _console(opener).post(decide, {"decision": "approve"}).status_code == 403
    assert Authenticator.objects.filter(user=member).exists()

    page = _console(approver).get(decide)
    assert page.status_code == 200 and "Saw their ID on a call." in page.content.decode()
    assert AuditEntry.objects.filter(action="mfa_reset.view", actor_id=approver.pk).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _console(approver).post(decide, {"decision": "approve"}).status_code == 302
    assert not Authenticator.objects.filter(user=member).exists()
    assert not Session.objects.filter(session_key=member_browser.session.session_key).exists()
    assert Notification.objects.filter(user=member, kind="account.mfa_reset").exists()
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "Saw their ID" not in mail.outbox[0].body
    assert _audited("mfa_reset.approve", actor=approver, target=member)
    # At the next sign-in the member is walked through setting up a second factor again.
    response = sign_in(Client(), member).get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:secure_account"))


def test_it_needs_an_identity_check_and_keeps_the_note_encrypted() -> None:
    opener, member = _staff(), make_member(verified=True)
    response = _console(opener).post(_url("mfa_reset_new", member), {"note": "Nothing checked."})
    assert response.status_code == 400
    assert not MfaResetRequest.objects.exists()
    reset = _open_reset(opener, member)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM staff_mfaresetrequest WHERE id = %s", [reset.pk])
        assert "Saw their ID" not in cursor.fetchone()[0]


def test_it_lets_a_second_staff_member_decline_a_reset() -> None:
    opener, approver, member = _staff(), _staff(), make_member(verified=True)
    reset = _open_reset(opener, member)
    decide = reverse("staff:mfa_reset", kwargs={"pk": reset.pk})
    assert _console(approver).post(decide, {"decision": "decline"}).status_code == 302
    assert Authenticator.objects.filter(user=member).exists()
    assert _audited("mfa_reset.decline", actor=approver, target=member)
    assert _console(_staff()).post(decide, {"decision": "approve"}).status_code == 409


def test_it_refuses_staff_opening_a_reset_of_their_own_factor() -> None:
    staff = _staff()
    assert _console(staff).get(_url("mfa_reset_new", staff)).status_code == 403


# --- programme tools -------------------------------------------------------------------------------
def test_the_console_links_every_programme_tool_of_the_programmes_switched_on() -> None:
    from peerhaven.sitesettings.services import instance_settings_update
    from peerhaven.staff.tools import INSTANCE_TOOLS, PROGRAMME_TOOLS

    client = _console(_staff())
    page = client.get(reverse("staff:index")).content.decode()
    for tool in (*INSTANCE_TOOLS.tools, *(tool for tools in PROGRAMME_TOOLS.values() for tool in tools)):
        assert f'href="{reverse(tool.url_name)}"' in page, tool.url_name
        # Every linked tool opens for staff (no dead link, no 403).
        assert client.get(reverse(tool.url_name)).status_code == 200, tool.url_name

    instance_settings_update(actor=None, changes={"enabled_programmes": ["t4t"]})
    page = client.get(reverse("staff:index")).content.decode()
    assert f'href="{reverse("support:staff_supporters")}"' in page
    assert f'href="{reverse("groups:settings")}"' not in page
    assert f'href="{reverse("sitesettings:edit")}"' in page
