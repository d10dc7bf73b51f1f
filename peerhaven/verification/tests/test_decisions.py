"""Verifiers decide: approve, reject with a reason, ask for more; nobody decides their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import VerificationStatus
from peerhaven.core.models import AuditEntry
from peerhaven.core.policies import is_verified
from peerhaven.notifications.models import Notification
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus
from peerhaven.verification.policies import can_decide_licence
from peerhaven.verification.services import (
    LicenceConflict,
    licence_approve,
    licence_reject,
    licence_reply,
    licence_request_info,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def verifier(member_factory):
    return member_factory(verified=True, roles=("verifier",))


@pytest.fixture
def applicant(member_factory):
    return member_factory()


def _review_url(submission):
    return reverse("verification:review", kwargs={"pk": submission.pk})


def test_it_approves_and_verifies_the_member_until_the_licence_expires(
    verifier, applicant, submission_factory, client_for, django_capture_on_commit_callbacks
):
    submission = submission_factory(applicant, expires_in_days=200)
    client = client_for(verifier, passkey=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_review_url(submission), {"action": "approve", "approve-confirm": "on"})
    assert response.status_code == 302
    submission.refresh_from_db()
    applicant.refresh_from_db()
    assert submission.status == SubmissionStatus.VERIFIED
    assert submission.reviewer == verifier and submission.decided_at is not None
    assert applicant.verification_status == VerificationStatus.VERIFIED
    assert applicant.verified_until == timezone.localdate() + dt.timedelta(days=200)
    assert is_verified(applicant)
    notification = Notification.objects.get(user=applicant)
    assert notification.kind == "licence.verified"
    assert notification.link == reverse("verification:my_licence")
    assert AuditEntry.objects.filter(action="licence.approve", actor_id=verifier.pk).exists()


def test_it_asks_the_verifier_to_confirm_the_register_check(verifier, applicant, submission_factory, client_for):
    submission = submission_factory(applicant)
    response = client_for(verifier, passkey=True).post(_review_url(submission), {"action": "approve"})
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING


def test_it_rejects_with_a_reason_the_member_can_read(
    verifier, applicant, submission_factory, client_for, django_capture_on_commit_callbacks
):
    submission = submission_factory(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(verifier, passkey=True).post(
            _review_url(submission), {"action": "reject", "reject-reason": "The number is not on the register."}
        )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.verification_status == VerificationStatus.REJECTED
    assert Notification.objects.get(user=applicant).kind == "licence.rejected"
    page = client_for(applicant).get(reverse("verification:my_licence")).content.decode()
    assert "The number is not on the register." in page
    entry = AuditEntry.objects.get(action="licence.reject")
    assert "register" not in str(entry.data)


def test_it_needs_a_reason_to_reject(verifier, applicant, submission_factory, client_for):
    submission = submission_factory(applicant)
    response = client_for(verifier, passkey=True).post(_review_url(submission), {"action": "reject", "reject-reason": " "})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        licence_reject(actor=verifier, submission=submission, reason="   ")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING


def test_it_asks_for_more_and_takes_the_members_reply_back_into_the_queue(
    verifier, applicant, submission_factory, client_for, django_capture_on_commit_callbacks, png_upload
):
    submission = submission_factory(applicant, with_document=True)
    old_path = submission.document_path
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(verifier, passkey=True).post(
            _review_url(submission), {"action": "request_info", "request_info-question": "Please send the back page."}
        )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NEEDS_INFO
    assert Notification.objects.get(user=applicant).kind == "licence.more_info"
    member_client = client_for(applicant)
    page = member_client.get(reverse("verification:my_licence")).content.decode()
    assert "Please send the back page." in page and "Send my answer" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("verification:reply", kwargs={"pk": submission.pk}),
            {"reply-reply": "Attached, thank you.", "reply-document": png_upload("back.png")},
        )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert submission.member_reply == "Attached, thank you."
    assert submission.document_path != old_path
    from django.core.files.storage import default_storage

    assert not default_storage.exists(old_path)
    assert default_storage.exists(submission.document_path)
    review_page = client_for(verifier, passkey=True).get(_review_url(submission)).content.decode()
    assert "Attached, thank you." in review_page


def test_it_refuses_a_reply_when_no_question_is_open(applicant, submission_factory, client_for):
    submission = submission_factory(applicant)
    response = client_for(applicant).post(
        reverse("verification:reply", kwargs={"pk": submission.pk}), {"reply-reply": "hello"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.member_reply == ""


def test_it_hides_replies_to_other_members_submissions(member_factory, verifier, submission_factory, client_for):
    owner = member_factory()
    submission = submission_factory(owner)
    licence_request_info(actor=verifier, submission=submission, question="More please")
    stranger = member_factory()
    response = client_for(stranger).post(
        reverse("verification:reply", kwargs={"pk": submission.pk}), {"reply-reply": "not mine"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        licence_reply(actor=stranger, submission=submission, reply="not mine")


def test_it_never_lets_a_verifier_decide_their_own_submission(verifier, submission_factory, client_for):
    own = submission_factory(verifier)
    assert not can_decide_licence(verifier, own)
    client = client_for(verifier, passkey=True)
    assert client.get(_review_url(own)).status_code == 403
    response = client.post(_review_url(own), {"action": "approve", "approve-confirm": "on"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        licence_approve(actor=verifier, submission=own)
    with pytest.raises(PermissionDenied):
        licence_reject(actor=verifier, submission=own, reason="no")
    with pytest.raises(PermissionDenied):
        licence_request_info(actor=verifier, submission=own, question="?")
    own.refresh_from_db()
    assert own.status == SubmissionStatus.PENDING
    queue = client.get(reverse("verification:queue")).content.decode()
    assert _review_url(own) not in queue


def test_it_answers_404_to_members_who_are_not_verifiers(member_factory, applicant, submission_factory, client_for):
    submission = submission_factory(applicant)
    for outsider in (member_factory(verified=True), member_factory(verified=True, roles=("moderator",)), applicant):
        client = client_for(outsider, passkey=True)
        assert client.get(_review_url(submission)).status_code == 404
        assert client.post(_review_url(submission), {"action": "approve", "approve-confirm": "on"}).status_code == 404
    with pytest.raises(PermissionDenied):
        licence_approve(actor=member_factory(verified=True), submission=submission)


def test_it_answers_409_when_the_submission_was_already_decided(verifier, member_factory, applicant, submission_factory, client_for):
    submission = submission_factory(applicant)
    other_verifier = member_factory(verified=True, roles=("verifier",))
    licence_approve(actor=other_verifier, submission=submission)
    response = client_for(verifier, passkey=True).post(
        _review_url(submission), {"action": "reject", "reject-reason": "late"}
    )
    assert response.status_code == 409
    with pytest.raises(LicenceConflict):
        licence_reject(actor=verifier, submission=submission, reason="late")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.VERIFIED


def test_it_keeps_a_running_verification_when_a_renewal_is_rejected(verifier, member_factory, submission_factory):
    member = member_factory(verified=True)
    until = member.verified_until
    renewal = submission_factory(member)
    licence_reject(actor=verifier, submission=renewal, reason="Blurry scan")
    member.refresh_from_db()
    assert member.verification_status == VerificationStatus.VERIFIED and member.verified_until == until


def test_it_sends_verifiers_without_a_passkey_session_to_step_up(verifier, applicant, submission_factory, client_for):
    submission = submission_factory(applicant)
    response = client_for(verifier).get(_review_url(submission))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:passkey_required"))


def test_it_lists_pending_first_and_filters(verifier, member_factory, submission_factory, client_for):
    decided_member = member_factory()
    decided = submission_factory(decided_member, jurisdiction="Yukon")
    licence_reject(actor=verifier, submission=decided, reason="x")
    waiting = submission_factory(member_factory(), jurisdiction="Nunavut")
    client = client_for(verifier, passkey=True)
    page = client.get(reverse("verification:queue")).content.decode()
    assert page.index("Nunavut") < page.index("Yukon")
    filtered = client.get(reverse("verification:queue"), {"status": "rejected"}).content.decode()
    assert "Yukon" in filtered and "Nunavut" not in filtered
    by_place = client.get(reverse("verification:queue"), {"jurisdiction": "nuna"}).content.decode()
    assert _review_url(waiting) in by_place and _review_url(decided) not in by_place
    assert LicenceSubmission.objects.count() == 2


def test_it_audits_each_time_a_verifier_opens_a_submission(verifier, applicant, submission_factory, client_for):
    submission = submission_factory(applicant, number="AUD-31337")
    client = client_for(verifier, passkey=True)
    page = client.get(_review_url(submission)).content.decode()
    assert "AUD-31337" in page
    client.get(_review_url(submission))
    entries = AuditEntry.objects.filter(action="licence.review_view", target_id=str(submission.pk))
    assert entries.count() == 2 and {entry.actor_id for entry in entries} == {verifier.pk}
