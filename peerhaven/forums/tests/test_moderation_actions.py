"""The forum moderation queue and its actions: flags through safety's reports, hide/restore,
lock/unlock, move, delete, warn (content-free notification), suspend (staff), all audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from peerhaven.accounts.models import Role
from peerhaven.core.models import AuditEntry
from peerhaven.forums.models.moderation import ModerationWarning
from peerhaven.forums.models.posting import Post, PostIdentity, Topic
from peerhaven.forums.services import moderation as services
from peerhaven.forums.tests import moderation_helpers as h
from peerhaven.notifications.models import Notification
from peerhaven.safety.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(member_factory):
    return member_factory(verified=True, roles=(Role.MODERATOR,))


@pytest.fixture
def author(member_factory):
    return member_factory(verified=True)


def _flag(client, post, reason="harassment"):
    return client.post(reverse("safety:report_content", args=["forums.post", post.pk]), {"reason": reason, "details": "please look"})


def test_members_flag_posts_into_the_queue(author, member_factory, moderator, client_for, django_assert_max_num_queries) -> None:
    reader = member_factory(verified=True)
    topic = h.topic(author, h.community(), title="Night shifts", body="first")
    posts = [h.reply(author, topic, f"reply {n}") for n in range(3)]
    client = client_for(reader)
    for post in posts:
        assert _flag(client, post).status_code == 302
    assert _flag(client_for(author), posts[0]).status_code == 400  # not one's own post
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 3
    moderator_client = client_for(moderator)
    with django_assert_max_num_queries(16):
        page = moderator_client.get(reverse("forums:mod_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Night shifts" in html and html.count(reverse("forums:mod_post", args=[posts[0].pk])) == 1
    # Constant queries as the queue grows.
    more = [h.reply(author, topic, f"more {n}") for n in range(6)]
    for post in more:
        _flag(client, post)
    with django_assert_max_num_queries(16):
        assert moderator_client.get(reverse("forums:mod_queue")).status_code == 200


def test_hide_and_restore_are_audited_and_close_reports(
    author, member_factory, moderator, client_for, django_capture_on_commit_callbacks
) -> None:
    reader = member_factory(verified=True)
    topic = h.topic(author, h.community(), body="first")
    post = h.reply(author, topic, "something unkind")
    _flag(client_for(reader), post)
    client = client_for(moderator)
    assert client.get(reverse("forums:mod_post", args=[post.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("forums:mod_post", args=[post.pk]), {"action": "hide"}).status_code == 302
    post.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_by == moderator
    assert Report.objects.get(object_id=post.pk).status == ReportStatus.ACTIONED
    assert Notification.objects.filter(user=reader, kind="safety.report_resolved").exists()
    # Hidden: readers no longer see it, moderators still do.
    assert client_for(reader).get(reverse("forums:post", args=[post.pk])).status_code == 404
    assert client.post(reverse("forums:mod_post", args=[post.pk]), {"action": "restore"}).status_code == 302
    post.refresh_from_db()
    assert post.hidden_at is None
    actions = list(AuditEntry.objects.filter(target_id=str(post.pk), target_type="forums.post").values_list("action", flat=True))
    assert "forum.post.hide" in actions and "forum.post.restore" in actions
    assert client.post(reverse("forums:mod_post", args=[post.pk]), {"action": "nonsense"}).status_code == 400


def test_dismissing_keeps_the_post(author, member_factory, moderator, client_for) -> None:
    reader = member_factory(verified=True)
    post = h.reply(author, h.topic(author, h.community()), "fine really")
    _flag(client_for(reader), post)
    client_for(moderator).post(reverse("forums:mod_post", args=[post.pk]), {"action": "dismiss"})
    assert Report.objects.get(object_id=post.pk).status == ReportStatus.DISMISSED
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_delete_is_soft(author, moderator, client_for) -> None:
    post = h.reply(author, h.topic(author, h.community()), "to delete")
    response = client_for(moderator).post(reverse("forums:mod_post", args=[post.pk]), {"action": "delete"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.deleted_at is not None
    assert client_for(moderator).get(reverse("forums:mod_post", args=[post.pk])).status_code == 404


def test_lock_move_and_delete_topics(author, moderator, client_for) -> None:
    room, other = h.community(), h.community()
    topic = h.topic(author, room)
    client = client_for(moderator)
    url = reverse("forums:mod_topic", args=[topic.pk])
    assert client.post(url, {"action": "lock"}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).locked
    from peerhaven.forums.services.posting import post_create

    with pytest.raises(PermissionDenied):
        post_create(actor=author, topic=Topic.objects.get(pk=topic.pk), body="can I still?")
    assert client.post(url, {"action": "unlock"}).status_code == 302
    assert not Topic.objects.get(pk=topic.pk).locked
    assert client.post(url, {"action": "move", "community": other.pk}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).community_id == other.pk
    assert client.post(url, {"action": "move", "community": 999999}).status_code == 400
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).deleted_at is not None
    codes = set(AuditEntry.objects.filter(target_type="forums.topic", target_id=str(topic.pk)).values_list("action", flat=True))
    assert {"forum.topic.lock", "forum.topic.unlock", "forum.topic.move", "forum.topic.delete"} <= codes


def test_members_cannot_moderate(author, member_factory) -> None:
    post = h.reply(author, h.topic(author, h.community()), "x")
    stranger = member_factory(verified=True)
    for action in (services.post_hide, services.post_restore, services.post_soft_delete):
        with pytest.raises(PermissionDenied):
            action(actor=stranger, post=post)
    with pytest.raises(PermissionDenied):
        services.topic_lock_set(actor=stranger, topic=post.topic, locked=True)


def test_a_warning_tells_the_author_without_content(
    author, moderator, client_for, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    post = h.reply(author, h.topic(author, h.community()), "sharp words", identity_mode=PostIdentity.ANONYMOUS)
    with_callbacks = client_for(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = with_callbacks.post(reverse("forums:mod_post", args=[post.pk]), {"action": "warn", "reason": "tone"})
    assert response.status_code == 302
    warning = ModerationWarning.objects.get()
    assert warning.member == author and warning.given_by == moderator
    notification = Notification.objects.get(user=author, kind="forums.warning")
    assert notification.link == reverse("forums:moderation_notices")
    entry = AuditEntry.objects.get(action="forum.post.warn")
    assert entry.target_type == "forums.post" and str(author.pk) not in str(entry.data)
    notices = client_for(author).get(reverse("forums:moderation_notices"))
    assert "Tone or respect" in notices.content.decode()
    for message in mailoutbox:
        assert "sharp words" not in message.body
    assert with_callbacks.post(reverse("forums:mod_post", args=[post.pk]), {"action": "warn", "reason": "bogus"}).status_code == 400


def test_staff_suspend_named_authors_only(author, member_factory, client_for) -> None:
    staff = member_factory(verified=True, roles=(Role.STAFF,))
    topic = h.topic(author, h.community())
    named = h.reply(author, topic, "named")
    anonymous = h.reply(author, topic, "anon", identity_mode=PostIdentity.ANONYMOUS)
    client = client_for(staff, passkey=True)
    assert client.get(reverse("forums:mod_suspend", args=[anonymous.pk])).status_code == 404
    assert client.post(reverse("forums:mod_suspend", args=[named.pk]), {"reason": ""}).status_code == 400
    assert client.post(reverse("forums:mod_suspend", args=[named.pk]), {"reason": "repeated harassment"}).status_code == 302
    author.refresh_from_db()
    assert author.suspended_at is not None
    assert AuditEntry.objects.filter(action="forum.post.suspend_author", target_id=str(named.pk)).exists()


def test_the_safety_report_about_a_post_links_to_the_post_in_moderation(
    author, member_factory, moderator, client_for
) -> None:
    reader = member_factory(verified=True)
    post = h.reply(author, h.topic(author, h.community(), body="first"), "a reply")
    assert _flag(client_for(reader), post).status_code == 302
    report = Report.objects.get(object_id=post.pk)
    page = client_for(moderator).get(reverse("safety:report_detail", kwargs={"pk": report.pk}))
    assert page.status_code == 200
    assert f'href="{reverse("forums:mod_post", args=[post.pk])}"' in page.content.decode()
    # A report about a member has no such link.
    member_report = Report.objects.create(reporter=reader, target_kind="member", target_member=author, reason="harassment")
    html = client_for(moderator).get(reverse("safety:report_detail", kwargs={"pk": member_report.pk})).content.decode()
    assert "/community/moderation/posts/" not in html


def test_forum_pages_lead_to_digest_settings_notices_and_for_moderators_the_queue(
    author, member_factory, moderator, client_for
) -> None:
    room = h.community()
    topic = h.topic(author, room, body="first")
    pages = [reverse("forums:communities"), reverse("forums:community", kwargs={"slug": room.slug}),
             reverse("forums:topic", kwargs={"pk": topic.pk}), reverse("forums:search"),
             reverse("forums:moderation_notices"), reverse("forums:digest_preferences")]
    queue = f'href="{reverse("forums:mod_queue")}"'
    for viewer, sees_queue in ((member_factory(verified=True), False), (moderator, True)):
        client = client_for(viewer)
        for url in pages:
            html = client.get(url).content.decode()
            assert f'href="{reverse("forums:digest_preferences")}"' in html, url
            assert f'href="{reverse("forums:moderation_notices")}"' in html, url
            assert (queue in html) is sees_queue, url
