"""The moderation queue: open first, filters, constant queries; dismiss/action, audited,
the reporter told (without the outcome)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.tests.factories import make_member
from peerhaven.notifications.models import Notification
from peerhaven.safety.models import Report, ReportStatus, ReportTarget
from peerhaven.safety.tests.conftest import audit_actions

pytestmark = pytest.mark.django_db


def _report(reporter, target, *, reason: str = "harassment", status: str = ReportStatus.OPEN) -> Report:
    return Report.objects.create(
        reporter=reporter, target_kind=ReportTarget.MEMBER, target_member=target, reason=reason,
        details="what happened", status=status,
        handled_at=None if status == ReportStatus.OPEN else timezone.now(),
    )


@pytest.fixture
def report(member_factory) -> Report:
    return _report(member_factory(verified=True), member_factory(verified=True))


def _detail(report: Report) -> str:
    return reverse("safety:report_detail", kwargs={"pk": report.pk})


def test_it_lets_a_moderator_dismiss_a_report(moderator_client, moderator, report,
                                              django_capture_on_commit_callbacks) -> None:
    page = moderator_client.get(_detail(report))
    assert page.status_code == 200 and "what happened" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(_detail(report), {"decision": "dismiss", "note": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED
    assert report.handled_by == moderator and report.handled_at is not None
    assert audit_actions(actor_id=moderator.pk, target_type="safety.report", target_id=str(report.pk)) == ["report.dismiss"]


def test_it_lets_a_moderator_mark_a_report_actioned(moderator_client, moderator, report,
                                                    django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(_detail(report), {"decision": "action", "note": "Warned the member."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTIONED and report.resolution_note == "Warned the member."
    assert audit_actions(actor_id=moderator.pk, target_type="safety.report", target_id=str(report.pk)) == ["report.action"]


def test_it_needs_a_note_to_mark_actioned(moderator_client, report) -> None:
    assert moderator_client.post(_detail(report), {"decision": "action", "note": " "}).status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert audit_actions(action__startswith="report.") == []


def test_it_notifies_the_reporter_and_nobody_else(moderator_client, report,
                                                  django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(_detail(report), {"decision": "action", "note": "Done."})
    notification = Notification.objects.get()
    assert notification.user_id == report.reporter_id
    assert notification.kind == "safety.report_resolved"
    assert notification.link == "/safety/reports/mine/" == reverse("safety:my_reports")
    # The reporter sees that it was reviewed, never the moderators' note.
    from django.test import Client

    from conftest import sign_in

    page = sign_in(Client(), report.reporter).get(reverse("safety:my_reports")).content.decode()
    assert "Reviewed" in page and "Done." not in page


def test_it_closes_a_report_only_once(moderator_client, report, member_factory, client_for,
                                      django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(_detail(report), {"decision": "dismiss"})
    second = client_for(member_factory(verified=True, roles=("moderator",)), passkey=True)
    assert second.post(_detail(report), {"decision": "action", "note": "again"}).status_code == 409
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED
    assert audit_actions(action__startswith="report.") == ["report.dismiss"]
    assert Notification.objects.count() == 1


def test_it_opens_the_queue_to_moderators_with_a_second_factor(client_for, moderator) -> None:
    # Passkey sessions are for verifier and staff tools only (decision 0004).
    response = client_for(moderator).get(reverse("safety:moderation_queue"))
    assert response.status_code == 200


@pytest.mark.parametrize("roles", [(), ("staff",), ("verifier",)])
def test_it_hides_the_queue_from_non_moderators(member_factory, client_for, report, roles) -> None:
    client = client_for(member_factory(verified=True, roles=roles), passkey=True)
    assert client.get(reverse("safety:moderation_queue")).status_code == 404
    assert client.get(_detail(report)).status_code == 404
    assert client.post(_detail(report), {"decision": "dismiss"}).status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_it_lists_open_reports_first_and_filters(moderator_client, member_factory) -> None:
    reporter, target = member_factory(), member_factory()
    closed = _report(reporter, target, status=ReportStatus.DISMISSED)
    older_open = _report(reporter, target, reason="spam")
    newer_open = _report(reporter, target)
    page = moderator_client.get(reverse("safety:moderation_queue")).context["page"]
    assert list(page) == [older_open, newer_open, closed]
    by_status = moderator_client.get(reverse("safety:moderation_queue"), {"status": "dismissed"})
    assert list(by_status.context["page"]) == [closed]
    by_reason = moderator_client.get(reverse("safety:moderation_queue"), {"reason": "spam"})
    assert list(by_reason.context["page"]) == [older_open]
    ignored = moderator_client.get(reverse("safety:moderation_queue"), {"status": "nonsense"})
    assert ignored.status_code == 200 and len(ignored.context["page"]) == 3


def _queries_for_queue(client, count: int) -> int:
    reporter, target = make_member(), make_member()
    existing = Report.objects.count()
    Report.objects.bulk_create(
        Report(reporter=reporter, target_kind=ReportTarget.MEMBER, target_member=target,
               reason="spam", details="d")
        for _ in range(count - existing)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("safety:moderation_queue"))
    assert response.status_code == 200
    return len(queries)


def test_it_keeps_the_queue_at_a_constant_number_of_queries(moderator_client) -> None:
    counts = [_queries_for_queue(moderator_client, n) for n in (1, 50, 500)]
    assert counts[0] == counts[1] == counts[2], counts


def test_it_keeps_my_reports_at_a_constant_number_of_queries(verified_client, verified_member) -> None:
    target = make_member()
    counts = []
    for size in (1, 50, 500):
        Report.objects.bulk_create(
            Report(reporter=verified_member, target_kind=ReportTarget.MEMBER, target_member=target,
                   reason="spam")
            for _ in range(size - Report.objects.count())
        )
        with CaptureQueriesContext(connection) as queries:
            assert verified_client.get(reverse("safety:my_reports")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
