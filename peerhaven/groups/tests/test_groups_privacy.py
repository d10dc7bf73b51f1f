"""The groups section of the privacy export and erasure."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.services import account_erase, account_export
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.models.groups import CasePresentation, Membership, Post, Thread
from peerhaven.groups.services.groups import (
    agreement_accept,
    post_create,
    presentation_create,
    thread_create,
)
from peerhaven.groups.tests.grid_groups import facilitated_group

pytestmark = pytest.mark.django_db

CASE = {"title": "Stuck", "presenting_question": "How do I respond?", "context": "Weekly sessions.",
        "vignette": "A client feels unheard.", "needs": "Ideas."}


def _setup() -> tuple[object, object, object, Thread]:
    owner = make_member(verified=True)
    group = facilitated_group(owner, join_policy="open")
    member = make_member(verified=True)
    agreement_accept(actor=member, group=group, version=1)
    thread = thread_create(actor=member, group=group, title="Endings", body="How do you end well?")
    post_create(actor=owner, thread=thread, body="Slowly, and on time.")
    presentation_create(actor=member, group=group, **CASE)
    return owner, group, member, thread


def test_it_exports_the_members_own_words_only() -> None:
    owner, _group, member, _thread = _setup()
    section = account_export(actor=member)["sections"]["groups"]
    assert [p["body"] for p in section["posts"]] == ["How do you end well?"]
    assert section["case_presentations"][0]["vignette"] == "A client feels unheard."
    assert section["memberships"][0]["status"] == "active"
    assert "Slowly, and on time." not in str(section)


def test_it_keeps_posts_as_former_member_when_asked() -> None:
    owner, group, member, thread = _setup()
    account_erase(actor=member, keep_posts_as_former_member=True)
    assert not Membership.objects.filter(user_id=member.pk).exists()
    first = Post.objects.filter(thread=thread).order_by("pk").first()
    assert first is not None and first.author_id is None and first.author_name == "former member"
    page = sign_in(Client(), owner).get(reverse("groups:thread_detail", kwargs={"pk": group.pk, "thread_pk": thread.pk}))
    assert page.status_code == 200 and "former member" in page.content.decode()


def test_it_deletes_their_writing_but_keeps_others_replies() -> None:
    owner, _group, member, thread = _setup()
    account_erase(actor=member, keep_posts_as_former_member=False)
    assert not CasePresentation.objects.exists()
    assert list(Post.objects.filter(thread=thread).values_list("body", flat=True)) == ["Slowly, and on time."]
    assert Thread.objects.get(pk=thread.pk).author_id is None
