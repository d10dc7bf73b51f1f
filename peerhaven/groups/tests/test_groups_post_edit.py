"""A member corrects their own thread post (pages and API): the same PHI guard as a reply, an
"edited" mark, an audit entry without the text, and nobody else (not even a facilitator) may edit
it. And the API's invitation by pseudonym, as the members page has it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.groups.models.groups import Group, Post
from peerhaven.groups.services.groups import (
    agreement_accept,
    agreement_update,
    group_archive,
    post_create,
    post_hide,
    thread_create,
    thread_lock,
)
from peerhaven.groups.tests.grid_groups import facilitated_group

pytestmark = pytest.mark.django_db


def _setup() -> tuple[Group, Any, Any, Post]:
    owner = make_member(verified=True)
    group = facilitated_group(owner, join_policy="open", capacity=12)
    member = make_member(verified=True)
    agreement_accept(actor=member, group=group, version=1)
    thread = thread_create(actor=owner, group=group, title="Boundaries", body="How do you keep evenings free?")
    post = post_create(actor=member, thread=thread, body="I switch my phone off at seven.")
    return group, owner, member, post


def _url(post: Post) -> str:
    return reverse("groups:post_edit", kwargs={"pk": post.thread.group_id, "thread_pk": post.thread_id, "post_pk": post.pk})


def test_the_author_edits_their_post_and_the_thread_marks_it_edited() -> None:
    group, _owner, member, post = _setup()
    client = sign_in(Client(), member)
    thread_page = client.get(reverse("groups:thread_detail", kwargs={"pk": group.pk, "thread_pk": post.thread_id}))
    assert _url(post) in thread_page.content.decode()  # the link is offered beside their own post

    form = client.get(_url(post))
    assert form.status_code == 200
    assert "I switch my phone off at seven." in form.content.decode()

    response = client.post(_url(post), {"body": "I switch my phone off at eight."})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{post.pk}")
    post.refresh_from_db()
    assert post.body == "I switch my phone off at eight." and post.edited_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "I switch my phone off at eight." in page and "edited" in page
    entry = AuditEntry.objects.get(action="groups.post_edit", actor_id=member.pk)
    assert "eight" not in str(entry.data)


def test_an_identifier_is_blocked_and_nothing_is_saved() -> None:
    _group, _owner, member, post = _setup()
    client = sign_in(Client(), member)

    response = client.post(_url(post), {"body": "Her number is (503) 555-0143, call her."})

    assert response.status_code == 400
    assert "phi-mark-block" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "I switch my phone off at seven." and post.edited_at is None


def test_an_empty_post_is_refused_kindly() -> None:
    _group, _owner, member, post = _setup()
    response = sign_in(Client(), member).post(_url(post), {"body": "   "})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.body == "I switch my phone off at seven."


def test_nobody_else_may_edit_it_not_even_the_facilitator() -> None:
    _group, owner, _member, post = _setup()
    stranger = make_member(verified=True)
    for person in (owner, stranger):
        client = sign_in(Client(), person)
        assert client.get(_url(post)).status_code == 404
        assert client.post(_url(post), {"body": "Changed by someone else."}).status_code == 404
        page = client.get(reverse("groups:thread_detail", kwargs={"pk": post.thread.group_id,
                                                                  "thread_pk": post.thread_id}))
        assert _url(post) not in page.content.decode()
    post.refresh_from_db()
    assert post.body == "I switch my phone off at seven."


def test_a_hidden_post_or_a_locked_thread_cannot_be_edited() -> None:
    _group, owner, member, post = _setup()
    client = sign_in(Client(), member)
    post_hide(actor=owner, post=post)
    assert client.get(_url(post)).status_code == 404
    post_hide(actor=owner, post=post, hidden=False)
    thread_lock(actor=owner, thread=post.thread)
    assert client.get(_url(post)).status_code == 404


def test_the_api_edits_the_authors_post_and_guards_it_the_same_way() -> None:
    group, owner, member, post = _setup()
    path = f"/api/v1/groups/{group.pk}/threads/{post.thread_id}/posts/{post.pk}"
    client = sign_in(Client(), member)

    refused = client.patch(path, {"body": "Call her on 503-555-0143."}, content_type="application/json")
    assert refused.status_code == 422
    assert "503-555-0143" not in refused.content.decode()

    done = client.patch(path, {"body": "I switch my phone off at eight."}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["body"] == "I switch my phone off at eight." and done.json()["edited_at"]

    other = sign_in(Client(), owner).patch(path, {"body": "Not yours."}, content_type="application/json")
    assert other.status_code == 404
    post.refresh_from_db()
    assert post.body == "I switch my phone off at eight."


def test_a_facilitator_invites_through_the_api_and_a_stranger_cannot() -> None:
    from peerhaven.accounts.models import Profile
    from peerhaven.groups.models.groups import Membership, MembershipStatus

    group, owner, member, _post = _setup()
    invitee = make_member(verified=True)
    Profile.objects.filter(user=invitee).update(pseudonym="willow-path")
    path = f"/api/v1/groups/{group.pk}/invitations"

    unknown = sign_in(Client(), owner).post(path, {"pseudonym": "nobody-here"}, content_type="application/json")
    assert unknown.status_code == 422
    assert [error["field"] for error in unknown.json()["detail"]] == ["pseudonym"]
    not_facilitator = sign_in(Client(), member).post(path, {"pseudonym": "willow-path"}, content_type="application/json")
    assert not_facilitator.status_code == 404

    invited = sign_in(Client(), owner).post(path, {"pseudonym": "Willow-Path"}, content_type="application/json")

    assert invited.status_code == 201
    assert Membership.objects.get(group=group, user=invitee).status == MembershipStatus.INVITED
    again = sign_in(Client(), owner).post(path, {"pseudonym": "willow-path"}, content_type="application/json")
    assert again.status_code == 422


# The edit page's statements, whatever the length of the thread: the site's settings, the session,
# the signed-in member and their account flags, the group, the member's row, the thread and the
# post. Saving adds the transaction's savepoint and release, the two foreign-key checks of the
# model's validation, the update and its audit entry.
EDIT_PAGE_QUERIES = 8
EDIT_SAVE_QUERIES = 14


def test_the_edit_page_keeps_a_constant_query_count(django_assert_num_queries: Any) -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner, join_policy="open", capacity=12)
    member = make_member(verified=True)
    agreement_accept(actor=member, group=group, version=1)
    thread = thread_create(actor=member, group=group, title="Evenings", body="I switch my phone off at seven.")
    post = Post.objects.get(thread=thread)
    url = _url(post)
    client = sign_in(Client(), member)
    client.get(url)  # the first request of a session warms what every later one reuses

    def measure(posts: int, body: str) -> None:
        assert Post.objects.filter(thread=thread).count() == posts
        with django_assert_num_queries(EDIT_PAGE_QUERIES):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(EDIT_SAVE_QUERIES):
            assert client.post(url, {"body": body}).status_code == 302
        post.refresh_from_db()
        assert post.body == body

    measure(1, "I switch my phone off at eight.")
    repliers = [owner, member]
    for _index in range(3):
        repliers.append(make_member(verified=True))
        agreement_accept(actor=repliers[-1], group=group, version=1)
    for index in range(29):  # groups are small: a few people write many replies
        post_create(actor=repliers[index % len(repliers)], thread=thread, body=f"Reply {index} about evenings.")
    measure(30, "I switch my phone off at nine.")


def test_an_author_who_has_not_accepted_the_changed_agreement_is_sent_to_it_as_the_reply_form_does() -> None:
    group, owner, member, post = _setup()
    other_post = post_create(actor=owner, thread=post.thread, body="Mine, in the same thread.")
    agreement_update(actor=owner, group=group, text="We also start on time.")
    client = sign_in(Client(), member)
    agreement = reverse("groups:agreement", kwargs={"pk": group.pk})
    reply = client.post(reverse("groups:thread_reply", kwargs={"pk": group.pk, "thread_pk": post.thread_id}),
                        {"body": "A reply before accepting."})
    assert reply.status_code == 302 and reply["Location"] == agreement

    form = client.get(_url(post), follow=True)
    assert form.redirect_chain == [(agreement, 302)]
    assert "The group agreement changed. Please read and accept it to take part." in form.content.decode()
    saved = client.post(_url(post), {"body": "Edited before accepting."})
    assert saved.status_code == 302 and saved["Location"] == agreement
    post.refresh_from_db()
    assert post.body == "I switch my phone off at seven." and post.edited_at is None

    # What they could not edit with the agreement accepted is still a 404 without it.
    assert client.get(_url(other_post)).status_code == 404
    post_hide(actor=owner, post=post)
    assert client.get(_url(post)).status_code == 404
    assert client.post(_url(post), {"body": "Edited while hidden."}).status_code == 404
    post_hide(actor=owner, post=post, hidden=False)
    thread_lock(actor=owner, thread=post.thread)
    assert client.get(_url(post)).status_code == 404
    thread_lock(actor=owner, thread=post.thread, locked=False)
    deleted = reverse("groups:post_edit", kwargs={"pk": group.pk, "thread_pk": post.thread_id, "post_pk": post.pk + 999})
    assert client.get(deleted).status_code == 404
    # Neither does a stranger to the group, nor the facilitator who is not the author, get more.
    stranger = sign_in(Client(), make_member(verified=True))
    assert stranger.get(_url(post)).status_code == 404
    assert sign_in(Client(), owner).get(_url(post)).status_code == 404

    # Once they accept it, the edit page is theirs again.
    assert client.post(agreement, {"version": 2, "accept": "on"}).status_code == 302
    assert client.get(_url(post)).status_code == 200
    assert client.post(_url(post), {"body": "I switch my phone off at eight."}).status_code == 302
    post.refresh_from_db()
    assert post.body == "I switch my phone off at eight."


def test_an_archived_group_still_answers_404_to_the_author_without_the_changed_agreement() -> None:
    group, owner, member, post = _setup()
    agreement_update(actor=owner, group=group, text="We also start on time.")
    group_archive(actor=owner, group=group)
    assert sign_in(Client(), member).get(_url(post)).status_code == 404
