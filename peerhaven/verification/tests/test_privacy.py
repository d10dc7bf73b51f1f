"""A member's licence data in their export, and gone (files included) after erasure."""

from __future__ import annotations

import pytest

from peerhaven.accounts.services import account_erase, account_export
from peerhaven.verification.models import LicenceSubmission
from peerhaven.verification.tests.conftest import stored_files

pytestmark = pytest.mark.django_db


def test_it_exports_my_submissions_with_the_number_but_not_the_reviewer(member_factory, submission_factory):
    member = member_factory()
    submission_factory(member, number="PSY-EXPORT-991")
    archive = account_export(actor=member)
    submissions = archive["sections"]["verification"]["licence_submissions"]
    assert [item["number"] for item in submissions] == ["PSY-EXPORT-991"]
    assert "reviewer" not in submissions[0]


def test_it_erases_submissions_and_their_stored_documents(
    member_factory, submission_factory, private_storage, django_capture_on_commit_callbacks
):
    member = member_factory()
    submission_factory(member, with_document=True)
    assert len(stored_files(private_storage)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(actor=member, keep_posts_as_former_member=False)
    assert LicenceSubmission.objects.count() == 0
    assert stored_files(private_storage) == []
