"""A member submits a licence: the form, the stored (encrypted) data, resubmission."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import VerificationStatus
from peerhaven.core.models import AuditEntry
from peerhaven.verification.documents import read_decrypted
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus
from peerhaven.verification.tests.conftest import png_bytes, stored_files

pytestmark = pytest.mark.django_db

NUMBER = "PSY-99881234"


def _form_data(**overrides):
    data = {
        "licence_type": "psychologist",
        "number": NUMBER,
        "jurisdiction": "Ontario",
        "expires_on": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
    }
    data.update(overrides)
    return data


def test_it_shows_the_page_to_a_member_who_has_not_submitted(member_factory, client_for):
    member = member_factory()
    response = client_for(member).get(reverse("verification:my_licence"))
    assert response.status_code == 200
    assert "You have not submitted a licence yet." in response.content.decode()


def test_it_submits_a_licence_with_a_document(member_factory, client_for, png_upload, private_storage):
    member = member_factory()
    response = client_for(member).post(
        reverse("verification:my_licence"), {**_form_data(), "document": png_upload()}
    )
    assert response.status_code == 302
    submission = LicenceSubmission.objects.get(member=member)
    assert submission.status == SubmissionStatus.PENDING
    assert submission.number == NUMBER
    assert submission.document_content_type == "image/png"
    assert read_decrypted(submission.document_path)[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(stored_files(private_storage)) == 1
    member.refresh_from_db()
    assert member.verification_status == VerificationStatus.PENDING
    entry = AuditEntry.objects.get(action="licence.submit")
    assert entry.actor_id == member.pk and entry.target_id == str(submission.pk)
    assert NUMBER not in str(entry.data)


def test_it_submits_without_a_document(member_factory, client_for, private_storage):
    member = member_factory()
    response = client_for(member).post(reverse("verification:my_licence"), _form_data())
    assert response.status_code == 302
    submission = LicenceSubmission.objects.get(member=member)
    assert submission.document_path == "" and not submission.has_document
    assert stored_files(private_storage) == []


def test_it_refuses_a_licence_that_has_already_expired(member_factory, client_for):
    member = member_factory()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client_for(member).post(reverse("verification:my_licence"), _form_data(expires_on=yesterday))
    assert response.status_code == 400
    assert "still current" in response.content.decode()
    assert not LicenceSubmission.objects.exists()


def test_it_keeps_the_number_reason_and_document_encrypted_at_rest(
    member_factory, submission_factory, private_storage
):
    member = member_factory()
    verifier = member_factory(verified=True, roles=("verifier",))
    submission = submission_factory(member, number=NUMBER, with_document=True)
    from peerhaven.verification.services import licence_reject

    licence_reject(actor=verifier, submission=submission, reason="Board register shows no match")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, reason FROM verification_licencesubmission WHERE id = %s", [submission.pk]
        )
        raw_number, raw_reason = cursor.fetchone()
    assert NUMBER not in raw_number and "99881234" not in raw_number
    assert "Board register" not in raw_reason
    assert raw_number.startswith("gAAAA")  # a Fernet token
    (stored,) = stored_files(private_storage)
    raw_file = stored.read_bytes()
    assert b"PNG" not in raw_file and b"IHDR" not in raw_file
    assert png_bytes()[:8] not in raw_file
    assert read_decrypted(submission.document_path).startswith(b"\x89PNG")


def test_it_stores_documents_under_private_media_not_static(
    member_factory, submission_factory, settings, private_storage
):
    submission = submission_factory(member_factory(), with_document=True)
    (stored,) = stored_files(private_storage)
    assert stored.resolve() == (Path(settings.PRIVATE_MEDIA_ROOT) / submission.document_path).resolve()
    for static_dir in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not stored.resolve().is_relative_to(Path(static_dir).resolve())


def test_it_supersedes_an_open_submission_when_the_member_submits_again(member_factory, submission_factory):
    member = member_factory()
    first = submission_factory(member, number="A-1")
    second = submission_factory(member, number="A-2")
    first.refresh_from_db()
    assert first.status == SubmissionStatus.SUPERSEDED
    assert second.status == SubmissionStatus.PENDING
    from peerhaven.verification.selectors import latest_submission_for

    assert latest_submission_for(member) == second


def test_it_keeps_a_running_verification_while_a_renewal_waits(member_factory, submission_factory):
    member = member_factory(verified=True)
    until = member.verified_until
    submission_factory(member)
    member.refresh_from_db()
    assert member.verification_status == VerificationStatus.VERIFIED
    assert member.verified_until == until


def test_it_shows_history_newest_first_without_the_full_number(member_factory, submission_factory, client_for):
    member = member_factory()
    submission_factory(member, number="OLD-000111", jurisdiction="Quebec")
    submission_factory(member, number="NEW-000222", jurisdiction="Manitoba")
    page = client_for(member).get(reverse("verification:my_licence")).content.decode()
    assert page.index("Manitoba") < page.index("Quebec")
    assert "NEW-000222" not in page and "…222" in page


def test_it_removes_the_stored_file_when_the_database_write_fails(
    member_factory, private_storage, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peerhaven.verification import services
    from peerhaven.verification.documents import check_upload

    member = member_factory()
    document = check_upload(SimpleUploadedFile("l.png", png_bytes()))

    def _failing_audit(*args, **kwargs):
        assert len(stored_files(private_storage)) == 1  # the file was written before the row
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_log", _failing_audit)
    with pytest.raises(RuntimeError):
        services.licence_submit(
            actor=member, licence_type="psychologist", number="X-1", jurisdiction="Ontario",
            expires_on=timezone.localdate() + dt.timedelta(days=30), document=document,
        )
    assert not LicenceSubmission.objects.exists()
    assert stored_files(private_storage) == []
    member.refresh_from_db()
    assert member.verification_status == VerificationStatus.NONE


def test_it_writes_nothing_when_validation_fails(member_factory, private_storage):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peerhaven.verification.documents import check_upload
    from peerhaven.verification.services import licence_submit

    with pytest.raises(ValidationError):
        licence_submit(
            actor=member_factory(), licence_type="not-a-type", number="X-1", jurisdiction="Ontario",
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            document=check_upload(SimpleUploadedFile("l.png", png_bytes())),
        )
    assert not LicenceSubmission.objects.exists()
    assert stored_files(private_storage) == []
