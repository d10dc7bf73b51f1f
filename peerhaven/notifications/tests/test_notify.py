"""notify(): rows, preferences, validation, and the e-mail queued only after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from peerhaven.notifications.kinds import KINDS, register
from peerhaven.notifications.models import Notification, NotificationPreference
from peerhaven.notifications.services import (
    notification_email_send,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    preferences_update,
)

pytestmark = pytest.mark.django_db


def test_it_creates_a_notification_and_emails_after_commit(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(user=member, kind="licence.verified", link="/verification/")
    assert notification is not None
    assert Notification.objects.filter(user=member, kind="licence.verified", link="/verification/", in_app=True).count() == 1
    assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_it_rejects_an_unknown_kind(member_factory):
    member = member_factory()
    with pytest.raises(ValueError):
        notify(user=member, kind="no.such.kind")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "relative/path", "/a b", "/line\nbreak", "javascript:alert(1)"],
)
def test_it_rejects_links_that_are_not_site_relative_paths(member_factory, link):
    member = member_factory()
    with pytest.raises(ValueError):
        notify(user=member, kind="licence.verified", link=link)
    assert not Notification.objects.exists()


def test_it_accepts_an_empty_link(member_factory):
    member = member_factory()
    assert notify(user=member, kind="licence.verified") is not None


def test_it_skips_the_email_when_the_member_turned_it_off(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    NotificationPreference.objects.create(user=member, kind="licence.verified", in_app=True, email=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(user=member, kind="licence.verified", link="/x/")
    assert notification is not None and notification.in_app
    assert callbacks == []
    assert mail.outbox == []


def test_it_keeps_an_email_only_row_out_of_the_centre(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    NotificationPreference.objects.create(user=member, kind="licence.verified", in_app=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user=member, kind="licence.verified", link="/x/")
    assert notification is not None and not notification.in_app
    assert len(mail.outbox) == 1
    from peerhaven.notifications.selectors import notifications_for, unread_count

    assert list(notifications_for(member)) == []
    assert unread_count(member) == 0


def test_it_creates_nothing_when_both_channels_are_off(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    NotificationPreference.objects.create(user=member, kind="licence.verified", in_app=False, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(user=member, kind="licence.verified") is None
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_it_follows_the_kind_default_for_email(member_factory, django_capture_on_commit_callbacks):
    register("test.quiet", "A quiet test kind", "Used by tests only.", email_default=False)
    try:
        member = member_factory()
        with django_capture_on_commit_callbacks(execute=True):
            assert notify(user=member, kind="test.quiet") is not None
        assert mail.outbox == []
        preferences_update(actor=member, in_app={}, email={"test.quiet": True})
        with django_capture_on_commit_callbacks(execute=True):
            notify(user=member, kind="test.quiet")
        assert len(mail.outbox) == 1
    finally:
        KINDS.pop("test.quiet", None)


def test_it_sends_no_email_to_a_suspended_member(member_factory, django_capture_on_commit_callbacks):
    member = member_factory(suspended=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(user=member, kind="account.security")
    assert notification is not None  # kept for when the member returns
    assert callbacks == []
    assert mail.outbox == []


def test_it_rechecks_suspension_and_preferences_when_sending(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(user=member, kind="licence.verified")
        notify(user=member, kind="licence.rejected")
    member.suspended_at = timezone.now()
    member.save(update_fields=["suspended_at"])
    callbacks[0]()
    assert mail.outbox == []
    member.suspended_at = None
    member.save(update_fields=["suspended_at"])
    preferences_update(actor=member, in_app={}, email={"licence.rejected": False})
    callbacks[1]()
    assert mail.outbox == []


def test_it_sends_each_email_at_most_once(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user=member, kind="licence.verified")
    assert notification is not None
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_it_marks_one_and_all_read_for_the_owner_only(member_factory):
    member, other = member_factory(), member_factory()
    first = notify(user=member, kind="licence.verified")
    notify(user=member, kind="licence.rejected")
    theirs = notify(user=other, kind="licence.verified")
    assert first is not None and theirs is not None
    notification_mark_read(actor=member, notification=first)
    assert first.read_at is not None
    with pytest.raises(PermissionError):
        notification_mark_read(actor=member, notification=theirs)
    assert notifications_mark_all_read(actor=member) == 1
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_it_updates_preferences_and_audits_the_kinds_only(member_factory):
    from peerhaven.core.models import AuditEntry

    member = member_factory()
    preferences_update(actor=member, in_app={"licence.verified": False}, email={"licence.verified": False})
    preferences_update(actor=member, in_app={"licence.verified": True}, email={})
    row = NotificationPreference.objects.get(user=member, kind="licence.verified")
    assert (row.in_app, row.email) == (True, False)
    entry = AuditEntry.objects.filter(action="notifications.preferences.update").latest("id")
    assert entry.data == {"kinds": ["licence.verified"]}
    with pytest.raises(ValueError):
        preferences_update(actor=member, in_app={"no.such.kind": True}, email={})
