"""Reporting members and content: rows written, nothing about yourself, rate-limited, allow-list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from peerhaven.accounts.models import Profile
from peerhaven.core.models import AuditEntry
from peerhaven.notifications.models import Notification
from peerhaven.safety.models import Report, ReportStatus, ReportTarget
from peerhaven.safety.registry import register_reportable, unregister_reportable
from peerhaven.safety.tests.conftest import audit_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def reportable_profiles() -> Iterator[None]:
    """Profiles stand in for a later app's content: visible unless their bio is private."""
    register_reportable(
        "accounts.profile",
        visible_to=lambda user, profile: profile.visibility_of("bio") != "private",
        author_id=lambda profile: profile.user_id,
    )
    yield
    unregister_reportable("accounts.profile")


def _report_member_url(member) -> str:
    return reverse("safety:report_member", kwargs={"public_id": member.public_id})


def test_it_records_a_member_report_and_queues_it(verified_client, verified_member, member_factory,
                                                   moderator_client) -> None:
    target = member_factory(verified=True)
    assert verified_client.get(_report_member_url(target)).status_code == 200
    response = verified_client.post(_report_member_url(target),
                                    {"reason": "harassment", "details": "Repeated messages."}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("safety:my_reports")
    assert "Thank you for telling us" in response.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.target_kind, report.target_member) == (
        verified_member, ReportTarget.MEMBER, target)
    assert report.status == ReportStatus.OPEN and report.details == "Repeated messages."
    queue = moderator_client.get(reverse("safety:moderation_queue"))
    assert list(queue.context["page"]) == [report]
    entry = AuditEntry.objects.get(action="report.create")
    assert entry.data == {"kind": "member", "reason": "harassment"}  # codes only, never the details


def test_it_never_tells_the_reported_member(verified_client, member_factory, client_for) -> None:
    target = member_factory(verified=True)
    verified_client.post(_report_member_url(target), {"reason": "spam"})
    assert not Notification.objects.filter(user=target).exists()
    assert list(client_for(target).get(reverse("safety:my_reports")).context["page"]) == []


def test_it_encrypts_report_details_at_rest(verified_client, member_factory) -> None:
    from django.db import connection

    verified_client.post(_report_member_url(member_factory()), {"reason": "other", "details": "plain words"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM safety_report")
        (stored,) = cursor.fetchone()
    assert "plain words" not in stored


def test_it_rejects_reporting_yourself(verified_client, verified_member) -> None:
    assert verified_client.get(_report_member_url(verified_member)).status_code == 400
    response = verified_client.post(_report_member_url(verified_member), {"reason": "spam"})
    assert response.status_code == 400
    assert not Report.objects.exists()
    assert audit_actions(action="report.create") == []


def test_it_answers_404_for_an_unknown_member(verified_client) -> None:
    import uuid

    url = reverse("safety:report_member", kwargs={"public_id": uuid.uuid4()})
    assert verified_client.post(url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_it_asks_again_for_a_missing_reason(verified_client, member_factory) -> None:
    response = verified_client.post(_report_member_url(member_factory()), {"details": "x"})
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_it_limits_reports_to_twenty_an_hour(verified_client, member_factory) -> None:
    targets = [member_factory() for _ in range(2)]
    for index in range(20):
        response = verified_client.post(_report_member_url(targets[index % 2]), {"reason": "spam"})
        assert response.status_code == 302
    limited = verified_client.post(_report_member_url(targets[0]), {"reason": "spam"})
    assert limited.status_code == 429
    assert Report.objects.count() == 20
    # The budget is shared with content reports.
    url = reverse("safety:report_content", kwargs={"label": "nothere.thing", "object_id": 1})
    assert verified_client.post(url, {"reason": "spam"}).status_code == 429


def test_it_answers_404_for_an_unknown_content_type(verified_client) -> None:
    for label in ("nothere.thing", "accounts.user", "accounts.profile"):
        url = reverse("safety:report_content", kwargs={"label": label, "object_id": 1})
        assert verified_client.get(url).status_code == 404
        assert verified_client.post(url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_it_records_a_content_report(reportable_profiles, verified_client, verified_member,
                                     member_factory, moderator_client) -> None:
    author = member_factory()
    profile = Profile.objects.get(user=author)
    url = reverse("safety:report_content", kwargs={"label": "accounts.profile", "object_id": profile.pk})
    assert verified_client.get(url).status_code == 200
    assert verified_client.post(url, {"reason": "client_information"}).status_code == 302
    report = Report.objects.get()
    assert report.target_kind == ReportTarget.CONTENT and report.content_object == profile
    assert report.content_label == "accounts.profile" and report.target_member is None
    assert AuditEntry.objects.get(action="report.create").data == {
        "kind": "content", "content": "accounts.profile", "reason": "client_information"}
    page = moderator_client.get(reverse("safety:report_detail", kwargs={"pk": report.pk})).content.decode()
    assert f"accounts.profile #{profile.pk}" in page


def test_it_answers_404_for_content_the_reporter_cannot_see(reportable_profiles, verified_client,
                                                            member_factory) -> None:
    profile = Profile.objects.get(user=member_factory())
    profile.visibility = {"bio": "private"}
    profile.save(update_fields=["visibility"])
    url = reverse("safety:report_content", kwargs={"label": "accounts.profile", "object_id": profile.pk})
    assert verified_client.get(url).status_code == 404
    assert verified_client.post(url, {"reason": "spam"}).status_code == 404
    missing = reverse("safety:report_content", kwargs={"label": "accounts.profile", "object_id": 10**9})
    assert verified_client.get(missing).status_code == 404
    assert not Report.objects.exists()


def test_it_rejects_reporting_your_own_content(reportable_profiles, verified_client, verified_member) -> None:
    profile = Profile.objects.get(user=verified_member)
    url = reverse("safety:report_content", kwargs={"label": "accounts.profile", "object_id": profile.pk})
    assert verified_client.post(url, {"reason": "spam"}).status_code == 400
    assert not Report.objects.exists()


def test_it_shows_reporters_only_their_own_reports(verified_client, verified_member, member_factory,
                                                   client_for) -> None:
    other = member_factory()
    target = member_factory()
    verified_client.post(_report_member_url(target), {"reason": "spam", "details": "secret detail"})
    client_for(other).post(_report_member_url(target), {"reason": "harassment"})
    mine = verified_client.get(reverse("safety:my_reports"))
    assert [report.reporter_id for report in mine.context["page"]] == [verified_member.pk]
    page = mine.content.decode()
    assert "Waiting for a moderator" in page and "secret detail" not in page
