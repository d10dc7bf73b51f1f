"""Reports and blocks in a member's export, and what erasure leaves of them."""

from __future__ import annotations

import pytest

from peerhaven.accounts.services import account_erase, account_export
from peerhaven.safety.models import Block, Report, ReportReason, ReportTarget

pytestmark = pytest.mark.django_db


def test_it_exports_my_reports_and_blocks_without_naming_the_other_member(member_factory):
    member, other = member_factory(verified=True), member_factory(verified=True, email="other-canary@example.org")
    Report.objects.create(reporter=member, target_kind=ReportTarget.MEMBER, target_member=other,
                          reason=ReportReason.HARASSMENT, details="what happened")
    Block.objects.create(blocker=member, blocked=other)
    section = account_export(actor=member)["sections"]["safety"]
    assert section["reports_made"][0]["details"] == "what happened"
    assert len(section["blocks_set"]) == 1
    assert "other-canary" not in repr(section)
    assert str(other.public_id) not in repr(section)


def test_it_keeps_the_moderation_record_but_not_the_reporters_words(member_factory):
    member, other = member_factory(verified=True), member_factory(verified=True)
    report = Report.objects.create(reporter=member, target_kind=ReportTarget.MEMBER, target_member=other,
                                   reason=ReportReason.HARASSMENT, details="my words")
    Block.objects.create(blocker=member, blocked=other)
    account_erase(actor=member, keep_posts_as_former_member=False)
    report.refresh_from_db()
    assert report.reporter_id is None
    assert report.details == ""
    assert not Block.objects.exists()
