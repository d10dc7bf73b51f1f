"""Watched words: whole-word, case-insensitive, Unicode-aware matching; "block" refuses a post
before anything is written, "queue" puts it in the moderation queue; staff manage the list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from peerhaven.accounts.models import Role
from peerhaven.core.models import AuditEntry
from peerhaven.forums.models.moderation import WatchedWord, WatchedWordAction
from peerhaven.forums.models.posting import Post, Topic
from peerhaven.forums.services.moderation import check_watched_words, watched_word_add
from peerhaven.forums.services.posting import PostRefused
from peerhaven.forums.tests import moderation_helpers as h
from peerhaven.safety.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(member_factory):
    return member_factory(verified=True, roles=(Role.STAFF,))


def test_it_matches_whole_words_in_any_case(staff) -> None:
    watched_word_add(actor=staff, word="Rape", action=WatchedWordAction.QUEUE)
    assert check_watched_words("grapes and drapes").action == "allow"
    assert check_watched_words("a RAPE survivor").queued
    assert check_watched_words("rape.").queued
    assert check_watched_words("(rape)").queued
    assert check_watched_words("").action == "allow"


def test_it_is_unicode_aware(staff) -> None:
    watched_word_add(actor=staff, word="ética", action=WatchedWordAction.QUEUE)
    watched_word_add(actor=staff, word="STRASSE", action=WatchedWordAction.BLOCK)
    assert check_watched_words("la ÉTICA, siempre").queued
    assert check_watched_words("bioética").action == "allow"  # inside a longer word
    assert check_watched_words("die Straße").blocked  # case folding: ß = ss
    assert check_watched_words("ｓｔｒａｓｓｅ").blocked  # full-width letters (NFKC)


def test_it_matches_phrases_across_spacing(staff) -> None:
    watched_word_add(actor=staff, word="kill  myself", action=WatchedWordAction.QUEUE)
    assert check_watched_words("I want to kill\nmyself").queued
    assert check_watched_words("kill myselfish").action == "allow"


def test_block_wins_over_queue(staff) -> None:
    queue = watched_word_add(actor=staff, word="alpha", action=WatchedWordAction.QUEUE)
    block = watched_word_add(actor=staff, word="beta", action=WatchedWordAction.BLOCK)
    verdict = check_watched_words("alpha beta")
    assert verdict.blocked and set(verdict.matched) == {queue.pk, block.pk}


def test_a_block_word_refuses_the_post_and_writes_nothing(staff, member_factory) -> None:
    author = member_factory(verified=True)
    watched_word_add(actor=staff, word="forbiddenword", action=WatchedWordAction.BLOCK)
    room = h.community()
    with pytest.raises(PostRefused):
        h.topic(author, room, title="Hello", body="this has a ForbiddenWord in it")
    with pytest.raises(PostRefused):
        h.topic(author, room, title="forbiddenword in the title", body="clean")
    assert not Topic.objects.filter(community=room).exists()
    topic = h.topic(author, room, body="clean")
    with pytest.raises(PostRefused):
        h.reply(author, topic, "forbiddenword again")
    assert Post.objects.filter(topic=topic).count() == 1


def test_a_queue_word_publishes_and_reports_the_post(staff, member_factory) -> None:
    author = member_factory(verified=True)
    watched_word_add(actor=staff, word="overdose", action=WatchedWordAction.QUEUE)
    topic = h.topic(author, h.community(), body="nothing to see")
    post = h.reply(author, topic, "thinking about an Overdose")
    report = Report.objects.get(object_id=post.pk, status=ReportStatus.OPEN)
    assert report.reporter is None and report.content_label == "forums.post"
    entry = AuditEntry.objects.get(action="forum.post.watched_word_queue")
    assert entry.actor_id is None and "overdose" not in str(entry.data).lower()
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_staff_manage_the_list(staff, member_factory, client_for) -> None:
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    with pytest.raises(PermissionDenied):
        watched_word_add(actor=moderator, word="x", action=WatchedWordAction.QUEUE)
    client = client_for(staff, passkey=True)
    response = client.post(reverse("forums:watched_words"), {"word": "gamble", "action": "block"})
    assert response.status_code == 302
    entry = WatchedWord.objects.get()
    assert entry.normalised == "gamble"
    duplicate = client.post(reverse("forums:watched_words"), {"word": "GAMBLE", "action": "queue"})
    assert duplicate.status_code == 400 and WatchedWord.objects.count() == 1
    assert client.post(reverse("forums:watched_words"), {"word": "!!!", "action": "queue"}).status_code == 400
    page = client.get(reverse("forums:watched_words"))
    assert "gamble" in page.content.decode()
    assert client.post(reverse("forums:watched_word_delete", args=[entry.pk])).status_code == 302
    assert not WatchedWord.objects.exists()


def test_an_edit_is_checked_like_a_new_post(staff, member_factory, client_for) -> None:
    from peerhaven.forums.services.posting import post_edit

    author = member_factory(verified=True)
    watched_word_add(actor=staff, word="forbiddenword", action=WatchedWordAction.BLOCK)
    watched_word_add(actor=staff, word="overdose", action=WatchedWordAction.QUEUE)
    topic = h.topic(author, h.community(), body="nothing to see")
    post = h.reply(author, topic, "a clean reply")
    assert not Report.objects.filter(object_id=post.pk).exists()
    # "block": the edit is refused and the text stays as it was.
    with pytest.raises(PostRefused):
        post_edit(actor=author, post=post, body="now with a ForbiddenWord")
    post.refresh_from_db()
    assert post.body == "a clean reply" and not post.revisions.exists()
    # Through the page: a kind 4xx, not a 500, and nothing changed.
    response = client_for(author).post(reverse("forums:post_edit", kwargs={"pk": post.pk}),
                                       {"body": "forbiddenword here", "phi_ack": "1"})
    assert 400 <= response.status_code < 500
    post.refresh_from_db()
    assert post.body == "a clean reply"
    # "queue": the edited post goes to the moderation queue, once however often it is edited.
    post_edit(actor=author, post=post, body="thinking about an overdose")
    report = Report.objects.get(object_id=post.pk, status=ReportStatus.OPEN)
    assert report.reporter is None and report.content_label == "forums.post"
    post_edit(actor=author, post=post, body="still thinking about an overdose")
    assert Report.objects.filter(object_id=post.pk, status=ReportStatus.OPEN).count() == 1
    # The opening post's new title is checked too.
    opening = h.first_post(topic)
    with pytest.raises(PostRefused):
        post_edit(actor=author, post=opening, body="nothing to see", title="forbiddenword title")


def test_a_moderators_edit_does_not_queue_the_post(staff, member_factory) -> None:
    from peerhaven.forums.services.posting import post_edit

    author = member_factory(verified=True)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    watched_word_add(actor=staff, word="overdose", action=WatchedWordAction.QUEUE)
    post = h.reply(author, h.topic(author, h.community(), body="hello"), "a clean reply")
    post_edit(actor=moderator, post=post, body="quoting the word overdose in a note")
    assert not Report.objects.filter(object_id=post.pk).exists()
