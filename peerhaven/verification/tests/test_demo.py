"""Demo licences for seed_demo: verified and pending submissions, idempotent."""

from __future__ import annotations

import pytest

from peerhaven.accounts.models import VerificationStatus
from peerhaven.verification.demo import seed_demo_licences
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus

pytestmark = pytest.mark.django_db


def test_it_seeds_verified_and_pending_licences_once(member_factory):
    verifier = member_factory(roles=("verifier",))
    members = [member_factory() for _ in range(4)]
    assert seed_demo_licences([verifier, *members], [verifier]) == {"verified": 2, "pending": 3}
    statuses = dict(LicenceSubmission.objects.values_list("member_id", "status"))
    # The verifier cannot approve themselves: with no other verifier they wait in the queue.
    assert statuses[verifier.pk] == SubmissionStatus.PENDING
    assert [statuses[m.pk] for m in members] == ["verified", "verified", "pending", "pending"]
    members[0].refresh_from_db()
    assert members[0].verification_status == VerificationStatus.VERIFIED
    pending = LicenceSubmission.objects.filter(status=SubmissionStatus.PENDING)
    assert all(submission.has_document for submission in pending)
    assert seed_demo_licences([verifier, *members], [verifier]) == {"verified": 0, "pending": 0}
    assert LicenceSubmission.objects.count() == 5
