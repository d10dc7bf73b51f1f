"""Threads and case presentations: the PHI guard blocks structured identifiers and asks for an
audited confirmation of soft ones, on the pages and in the services; facilitators' moderation
tools; encryption at rest; constant query counts on the directory and inner pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.groups.models.groups import CasePresentation, Group, Post, Thread
from peerhaven.groups.services.groups import (
    PhiRefused,
    agreement_accept,
    group_archive,
    post_create,
    post_hide,
    presentation_create,
    thread_create,
    thread_lock,
)
from peerhaven.groups.tests.grid_groups import facilitated_group

pytestmark = pytest.mark.django_db

CASE = {
    "title": "Stuck with anger",
    "presenting_question": "How can I stay steady when the client gets angry?",
    "context": "Weekly sessions for a year, integrative approach.",
    "vignette": "A client in their forties feels unheard at work and at home.",
    "needs": "Ideas for the next session.",
}


def _group_with_member() -> tuple[Group, Any, Any]:
    owner = make_member(verified=True)
    group = facilitated_group(owner, join_policy="open", capacity=12)
    member = make_member(verified=True)
    agreement_accept(actor=member, group=group, version=1)
    return group, owner, member


class TestPhiGuard:
    def test_it_blocks_a_phone_number_in_a_case_presentation_page(self) -> None:
        group, _owner, member = _group_with_member()
        client = sign_in(Client(), member)
        url = reverse("groups:presentation_create", kwargs={"pk": group.pk})
        response = client.post(url, {**CASE, "vignette": "Call her on (503) 555-0143 if needed."})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Phone number" in page and "phi-mark-block" in page
        assert not CasePresentation.objects.exists()
        response = client.post(url, CASE)
        assert response.status_code == 302
        assert CasePresentation.objects.count() == 1

    def test_it_asks_to_confirm_a_possible_name_and_audits_the_confirmation(self) -> None:
        group, _owner, member = _group_with_member()
        client = sign_in(Client(), member)
        url = reverse("groups:presentation_create", kwargs={"pk": group.pk})
        data = {**CASE, "vignette": "The client, Margaret, feels unheard at work."}
        first = client.post(url, data)
        assert first.status_code == 400
        form = first.context["form"]
        assert "phi_confirm" in form.errors.get("vignette", [""])[0] or form.phi_findings["vignette"].soft
        digest = form.data["phi_reviewed"]
        confirmed = client.post(url, {**data, "phi_confirm": "on", "phi_reviewed": digest})
        assert confirmed.status_code == 302
        entry = AuditEntry.objects.get(action="phi.confirm", actor_id=member.pk)
        assert entry.data["categories"] == {"name": 1}
        assert "Margaret" not in str(entry.data)

    def test_it_blocks_identifiers_in_thread_posts_too(self) -> None:
        group, _owner, member = _group_with_member()
        client = sign_in(Client(), member)
        response = client.post(reverse("groups:thread_create", kwargs={"pk": group.pk}),
                               {"title": "A question", "body": "Her e-mail is jo.doe@example.org"})
        assert response.status_code == 400
        assert not Thread.objects.exists()
        thread = thread_create(actor=member, group=group, title="A question", body="How do you end sessions?")
        reply = client.post(reverse("groups:thread_reply", kwargs={"pk": group.pk, "thread_pk": thread.pk}),
                            {"body": "Seen on 03/14/2024 at the clinic."})
        assert reply.status_code == 400
        assert Post.objects.filter(thread=thread).count() == 1

    def test_it_refuses_in_the_service_whatever_the_caller_checked(self) -> None:
        group, _owner, member = _group_with_member()
        with pytest.raises(PhiRefused) as refused:
            presentation_create(actor=member, group=group, **{**CASE, "context": "Record MRN 4839201."},
                                phi_confirmed=True)
        assert "context" in refused.value.findings
        with pytest.raises(PhiRefused):
            thread_create(actor=member, group=group, title="Hi", body="Margaret said hello.")
        thread = thread_create(actor=member, group=group, title="Hi", body="Margaret said hello.", phi_confirmed=True)
        assert AuditEntry.objects.filter(action="phi.confirm", actor_id=member.pk).count() == 1
        assert thread.posts.count() == 1

    def test_it_uses_the_live_editor_component(self) -> None:
        group, _owner, member = _group_with_member()
        page = sign_in(Client(), member).get(reverse("groups:presentation_create", kwargs={"pk": group.pk}))
        html = page.content.decode()
        assert reverse("safety:phi_check") in html and "data-phi-guard" in html


class TestModeration:
    def test_it_lets_facilitators_hide_posts_and_lock_threads(self) -> None:
        group, owner, member = _group_with_member()
        thread = thread_create(actor=member, group=group, title="Ends", body="How do you end?")
        post = thread.posts.get()
        with pytest.raises(PermissionDenied):
            post_hide(actor=member, post=post)
        post_hide(actor=owner, post=post)
        other = make_member(verified=True)
        agreement_accept(actor=other, group=group, version=1)
        page = sign_in(Client(), other).get(reverse("groups:thread_detail", kwargs={"pk": group.pk, "thread_pk": thread.pk}))
        assert "How do you end?" not in page.content.decode()
        assert "A facilitator hid this post." in page.content.decode()
        thread_lock(actor=owner, thread=thread)
        with pytest.raises(PermissionDenied):
            post_create(actor=member, thread=thread, body="One more thing.")
        assert {"groups.post_hide", "groups.thread_lock"} <= set(
            AuditEntry.objects.filter(actor_id=owner.pk).values_list("action", flat=True))

    def test_it_hides_a_case_presentation_from_other_members(self) -> None:
        group, owner, member = _group_with_member()
        presentation = presentation_create(actor=member, group=group, **CASE)
        client = sign_in(Client(), owner)
        url = reverse("groups:presentation_hide", kwargs={"pk": group.pk, "presentation_pk": presentation.pk})
        assert client.post(url).status_code == 302
        other = make_member(verified=True)
        agreement_accept(actor=other, group=group, version=1)
        detail = reverse("groups:presentation_detail", kwargs={"pk": group.pk, "presentation_pk": presentation.pk})
        assert sign_in(Client(), other).get(detail).status_code == 404
        assert sign_in(Client(), member).get(detail).status_code == 200  # its author still sees it

    def test_it_makes_an_archived_group_read_only(self) -> None:
        group, owner, member = _group_with_member()
        group_archive(actor=owner, group=group)
        with pytest.raises(PermissionDenied):
            thread_create(actor=member, group=group, title="Late", body="Anyone?")
        client = sign_in(Client(), member)
        assert client.get(reverse("groups:thread_list", kwargs={"pk": group.pk})).status_code == 200
        assert client.get(reverse("groups:thread_create", kwargs={"pk": group.pk})).status_code == 404
        listing = sign_in(Client(), make_member(verified=True)).get(reverse("groups:directory"))
        assert group.name not in listing.content.decode()


def test_it_encrypts_case_material_at_rest() -> None:
    group, _owner, member = _group_with_member()
    presentation = presentation_create(actor=member, group=group, **CASE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT vignette, title FROM groups_casepresentation WHERE id = %s", [presentation.pk])
        vignette, title = cursor.fetchone()
    assert "unheard" not in vignette and "anger" not in title


class TestDirectory:
    def test_it_filters_by_kind_language_band_jurisdiction_and_open_seats(self) -> None:
        owner = make_member(verified=True)
        paris = facilitated_group(owner, name="Paris ethics", kind="ethics", language="fr", time_zone="Europe/Paris",
                                  jurisdictions=["France"], join_policy="open", capacity=2)
        facilitated_group(owner, name="Chicago consult", kind="consultation", time_zone="America/Chicago",
                          jurisdictions=["Illinois"])
        facilitated_group(owner, name="Sydney support", kind="support", time_zone="Australia/Sydney",
                          jurisdictions=["NSW"])
        facilitated_group(owner, name="Hidden", visibility="unlisted")
        client = sign_in(Client(), make_member(verified=True))
        url = reverse("groups:directory")

        def names(**query: Any) -> set[str]:
            return {group.name for group in client.get(url, query).context["page"]}

        assert names() == {"Paris ethics", "Chicago consult", "Sydney support"}
        assert names(kind="ethics") == {"Paris ethics"}
        assert names(language="fr") == {"Paris ethics"}
        assert names(band="americas") == {"Chicago consult"}
        assert names(band="asia_pacific") == {"Sydney support"}
        assert names(band="europe_africa") == {"Paris ethics"}
        assert names(jurisdiction="illinois") == {"Chicago consult"}
        agreement_accept(actor=make_member(verified=True), group=paris, version=1)
        assert names(open_seats="on") == {"Chicago consult", "Sydney support"}

    def test_it_paginates_and_keeps_its_query_count_constant(self, django_assert_max_num_queries: Any) -> None:
        owner = make_member(verified=True)
        viewer = make_member(verified=True)
        client = sign_in(Client(), viewer)
        url = reverse("groups:directory")
        for index in range(3):
            facilitated_group(owner, name=f"Small {index}")
        client.get(url)
        with django_assert_max_num_queries(14) as few:
            client.get(url)
        for index in range(25):
            group = facilitated_group(owner, name=f"Big {index:02d}", jurisdictions=["Oregon", "Ohio"],
                                      join_policy="open")
            if index % 5 == 0:
                agreement_accept(actor=viewer, group=group, version=1)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url)
        assert response.context["page"].paginator.num_pages == 2
        assert len(response.context["page"]) == 20


class TestInnerPageQueryCounts:
    def test_thread_and_presentation_pages_stay_constant(self, django_assert_max_num_queries: Any) -> None:
        group, owner, member = _group_with_member()
        thread = thread_create(actor=member, group=group, title="Ends", body="How do you end?")
        presentation = presentation_create(actor=member, group=group, **CASE)
        client = sign_in(Client(), member)
        pages = [
            reverse("groups:thread_list", kwargs={"pk": group.pk}),
            reverse("groups:thread_detail", kwargs={"pk": group.pk, "thread_pk": thread.pk}),
            reverse("groups:presentation_list", kwargs={"pk": group.pk}),
            reverse("groups:presentation_detail", kwargs={"pk": group.pk, "presentation_pk": presentation.pk}),
            reverse("groups:members", kwargs={"pk": group.pk}),
            reverse("groups:group_detail", kwargs={"pk": group.pk}),
        ]
        baseline = {}
        for url in pages:
            client.get(url)
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            baseline[url] = len(captured.captured_queries)
        for index in range(8):
            author = make_member(verified=True)
            agreement_accept(actor=author, group=group, version=1)
            thread_create(actor=author, group=group, title=f"T{index}", body="A question about endings.")
            post_create(actor=author, thread=thread, body="A reply about endings.")
            presentation_create(actor=author, group=group, **CASE)
        from peerhaven.groups.services.groups import comment_create

        comment_create(actor=owner, presentation=presentation, body="Thank you for bringing this.")
        for url in pages:
            with django_assert_max_num_queries(baseline[url]):
                assert client.get(url).status_code == 200


def test_it_lets_facilitators_hide_a_comment() -> None:
    from peerhaven.groups.models.groups import CaseComment
    from peerhaven.groups.services.groups import comment_create

    group, owner, member = _group_with_member()
    presentation = presentation_create(actor=member, group=group, **CASE)
    comment = comment_create(actor=member, presentation=presentation, body="Could it be fear underneath?")
    url = reverse("groups:comment_hide", kwargs={"pk": group.pk, "presentation_pk": presentation.pk,
                                                 "comment_pk": comment.pk})
    assert sign_in(Client(), member).post(url).status_code == 404  # not a facilitator
    assert sign_in(Client(), owner).post(url).status_code == 302
    assert CaseComment.objects.get(pk=comment.pk).is_hidden
    other = make_member(verified=True)
    agreement_accept(actor=other, group=group, version=1)
    detail = reverse("groups:presentation_detail", kwargs={"pk": group.pk, "presentation_pk": presentation.pk})
    page = sign_in(Client(), other).get(detail).content.decode()
    assert "fear underneath" not in page and "A facilitator hid this comment." in page
