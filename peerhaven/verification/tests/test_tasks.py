"""The scheduled jobs: lapsed licences expire, and members are reminded once, 30 days before."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_tasks.base import Task

from peerhaven.accounts.models import VerificationStatus
from peerhaven.core.models import AuditEntry
from peerhaven.core.policies import is_verified
from peerhaven.notifications.models import Notification
from peerhaven.verification.models import SubmissionStatus
from peerhaven.verification.services import licence_approve
from peerhaven.verification.tasks import (
    SCHEDULE,
    expire_lapsed_licences,
    send_licence_expiry_reminders,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def verifier(member_factory):
    return member_factory(verified=True, roles=("verifier",))


def _verified_submission(member, verifier, submission_factory, *, days):
    submission = submission_factory(member, expires_in_days=days)
    return licence_approve(actor=verifier, submission=submission)


def _at(days: int):
    return time_machine.travel(START + dt.timedelta(days=days), tick=False)


def test_it_lists_both_jobs_daily_for_the_scheduler():
    assert [(name, every) for name, every, _task in SCHEDULE] == [
        ("verification.expire_lapsed_licences", "daily"),
        ("verification.send_licence_expiry_reminders", "daily"),
    ]
    assert all(isinstance(job, Task) for _name, _every, job in SCHEDULE)


def test_it_expires_a_licence_the_day_after_its_expiry_date(
    member_factory, verifier, submission_factory, django_capture_on_commit_callbacks
):
    member = member_factory()
    with _at(0):
        submission = _verified_submission(member, verifier, submission_factory, days=40)
    with _at(40), django_capture_on_commit_callbacks(execute=True):
        expire_lapsed_licences.enqueue()  # the expiry day itself is still valid
    member.refresh_from_db()
    assert member.verification_status == VerificationStatus.VERIFIED
    with _at(41), django_capture_on_commit_callbacks(execute=True):
        expire_lapsed_licences.enqueue()
        member.refresh_from_db()
        assert not is_verified(member)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.EXPIRED
    assert member.verification_status == VerificationStatus.EXPIRED
    assert list(Notification.objects.filter(user=member).values_list("kind", flat=True)) == ["licence.expired"]
    assert AuditEntry.objects.filter(action="licence.member_expired", target_id=str(member.pk)).count() == 1
    with _at(42), django_capture_on_commit_callbacks(execute=True):
        expire_lapsed_licences.enqueue()
    assert Notification.objects.filter(user=member, kind="licence.expired").count() == 1


def test_it_keeps_a_member_verified_whose_renewal_was_approved(member_factory, verifier, submission_factory):
    member = member_factory()
    with _at(0):
        old = _verified_submission(member, verifier, submission_factory, days=20)
        _verified_submission(member, verifier, submission_factory, days=400)
    with _at(25):
        from peerhaven.verification.services import licence_expire_lapsed

        assert licence_expire_lapsed() == 0
    old.refresh_from_db()
    member.refresh_from_db()
    assert old.status == SubmissionStatus.EXPIRED
    assert member.verification_status == VerificationStatus.VERIFIED


def test_it_reminds_once_thirty_days_before_expiry(
    member_factory, verifier, submission_factory, django_capture_on_commit_callbacks
):
    member = member_factory()
    with _at(0):
        submission = _verified_submission(member, verifier, submission_factory, days=100)
    with _at(69), django_capture_on_commit_callbacks(execute=True):
        send_licence_expiry_reminders.enqueue()  # 31 days before: too early
    assert not Notification.objects.filter(kind="licence.expiring").exists()
    with _at(70), django_capture_on_commit_callbacks(execute=True):
        send_licence_expiry_reminders.enqueue()
    with _at(71), django_capture_on_commit_callbacks(execute=True):
        send_licence_expiry_reminders.enqueue()
    reminders = Notification.objects.filter(user=member, kind="licence.expiring")
    assert reminders.count() == 1
    submission.refresh_from_db()
    assert submission.reminder_sent_at == START + dt.timedelta(days=70)


def test_it_catches_up_a_missed_reminder_but_not_after_expiry(
    member_factory, verifier, submission_factory, django_capture_on_commit_callbacks
):
    late = member_factory()
    gone = member_factory()
    with _at(0):
        _verified_submission(late, verifier, submission_factory, days=10)
        _verified_submission(gone, verifier, submission_factory, days=5)
    from peerhaven.verification.services import licence_send_expiry_reminders

    with _at(6), django_capture_on_commit_callbacks(execute=True):
        assert licence_send_expiry_reminders() == 1
    assert Notification.objects.filter(user=late, kind="licence.expiring").exists()
    assert not Notification.objects.filter(user=gone, kind="licence.expiring").exists()


def test_it_does_not_remind_about_a_licence_already_renewed(member_factory, verifier, submission_factory):
    member = member_factory()
    with _at(0):
        _verified_submission(member, verifier, submission_factory, days=20)
        _verified_submission(member, verifier, submission_factory, days=400)
    from peerhaven.verification.services import licence_send_expiry_reminders

    with _at(1):
        assert licence_send_expiry_reminders() == 0


def test_it_reminds_with_no_content_but_a_link(
    member_factory, verifier, submission_factory, django_capture_on_commit_callbacks
):
    member = member_factory()
    with _at(0):
        _verified_submission(member, verifier, submission_factory, days=30)
    from django.urls import reverse

    from peerhaven.verification.services import licence_send_expiry_reminders

    with _at(0), django_capture_on_commit_callbacks(execute=True):
        assert licence_send_expiry_reminders() == 1
    note = Notification.objects.get(kind="licence.expiring")
    assert note.link == reverse("verification:my_licence")
