"""Posting pages: anonymous authors stay hidden, content notes fold, reactions, unread counts,
drafts, edit history, the PHI warning, limits, mentions, audiences, images, and constant query
counts for the community and topic pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from peerhaven.accounts.models import Role
from peerhaven.core.models import AuditEntry
from peerhaven.forums.models.posting import (
    Audience,
    CommunityMembership,
    Draft,
    Mention,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicReadState,
)
from peerhaven.forums.services.posting import (
    NEW_MEMBER_POSTS_PER_DAY,
    PostingLimitReached,
    post_create,
    post_edit,
    reading_preference_update,
    topic_create,
)
from peerhaven.forums.tests.grid_posting import make_community, make_post, make_topic, seasoned
from peerhaven.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _named(member_factory: Any, pseudonym: str, display: str, **kwargs: Any) -> Any:
    member = member_factory(verified=True, **kwargs)
    member.profile.pseudonym = pseudonym
    member.profile.display_name = display
    member.profile.save()
    return seasoned(member)


@pytest.fixture
def author(member_factory: Any) -> Any:
    return _named(member_factory, "quietwillow", "Dr Secret Author", email="secret.author@example.org")


@pytest.fixture
def reader(member_factory: Any) -> Any:
    return _named(member_factory, "brightfern", "Reader Person")


@pytest.fixture
def moderator(member_factory: Any) -> Any:
    return _named(member_factory, "modmaple", "Mod Person", roles=(Role.MODERATOR,))


def _assert_hidden(html: str, author: Any) -> None:
    for trace in ("quietwillow", "Dr Secret Author", "secret.author@example.org", f"/members/{author.public_id}"):
        assert trace not in html


# --- identity modes ----------------------------------------------------------------------------
def test_it_shows_verified_clinician_for_anonymous_posts_to_everyone(author, reader, moderator, client_for):
    topic = make_topic(author, title="After a loss", body="Opening words", identity_mode="anonymous")
    make_post(author, topic=topic, body="Second anonymous words", identity_mode="anonymous")
    for viewer in (reader, moderator, author):
        html = client_for(viewer).get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
        assert "Verified clinician" in html and "Second anonymous words" in html
        _assert_hidden(html, author)
        community_html = client_for(viewer).get(reverse("forums:community", kwargs={"slug": topic.community.slug})).content.decode()
        assert "Started by Verified clinician" in community_html
        _assert_hidden(community_html, author)


def test_it_shows_the_pseudonym_or_display_name_as_chosen(author, reader, client_for):
    topic = make_topic(author, body="Named", identity_mode="pseudonym")
    make_post(author, topic=topic, body="By display name", identity_mode="display_name")
    html = client_for(reader).get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
    assert "quietwillow" in html and "Dr Secret Author" in html


def test_it_refuses_anonymous_posting_to_members_who_are_not_verified(member_factory, author):
    topic = make_topic(author)
    moderator_unverified = member_factory(roles=(Role.MODERATOR,))
    with pytest.raises(ValidationError):
        post_create(actor=moderator_unverified, topic=topic, body="x", identity_mode="anonymous")
    assert topic.posts.count() == 1


def test_it_quotes_an_anonymous_post_with_its_label_only(author, reader, client_for):
    topic = make_topic(author, body="Words worth quoting", identity_mode="anonymous")
    post = topic.posts.get()
    html = client_for(reader).get(reverse("forums:topic", kwargs={"pk": topic.pk}) + f"?quote={post.pk}").content.decode()
    assert "&gt; **Verified clinician:**" in html and "Words worth quoting" in html
    _assert_hidden(html, author)


# --- content notes -----------------------------------------------------------------------------
def test_it_folds_a_post_with_a_content_note_until_opened(author, reader, client_for):
    topic = make_topic(author, body="Hard story", content_note="client_death")
    html = client_for(reader).get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
    assert '<details class="content-note">' in html and "Content note: Client death" in html
    assert html.index("<details") < html.index("Hard story")


def test_it_follows_the_readers_collapse_preferences(author, reader, client_for):
    topic = make_topic(author, body="Grief story", content_note="grief")
    make_post(author, topic=topic, body="Abuse story", content_note="abuse")
    url = reverse("forums:topic", kwargs={"pk": topic.pk})
    reading_preference_update(actor=reader, collapse_mode="none", notes=[])
    html = client_for(reader).get(url).content.decode()
    assert "<details" not in html and "Content note: Grief" in html
    reading_preference_update(actor=reader, collapse_mode="chosen", notes=["abuse"])
    html = client_for(reader).get(url).content.decode()
    assert html.count('<details class="content-note">') == 1
    assert html.index("<details") < html.index("Abuse story")
    assert html.index("Grief story") < html.index("<details")


def test_it_saves_reading_preferences_from_the_page(reader, client_for):
    client = client_for(reader)
    response = client.post(reverse("forums:reading_preferences"), {"collapse_mode": "chosen", "notes": ["suicide", "grief"]})
    assert response.status_code == 302
    from peerhaven.forums.selectors.posting import reading_settings

    settings = reading_settings(reader)
    assert settings.mode == "chosen" and settings.notes == {"suicide", "grief"}
    assert client.post(reverse("forums:reading_preferences"), {"collapse_mode": "bogus"}).status_code == 400


# --- replying, reactions, follows, bookmarks ----------------------------------------------------
def test_it_posts_a_reply_and_notifies_followers_without_content(author, reader, client_for):
    topic = make_topic(author)
    response = client_for(reader).post(
        reverse("forums:topic_reply", kwargs={"pk": topic.pk}),
        {"body": "I hear you", "identity_mode": "anonymous", "content_note": ""},
    )
    assert response.status_code == 302
    post = topic.posts.get(number=2)
    assert post.identity_mode == "anonymous" and post.author_id == reader.pk
    notification = Notification.objects.get(user=author, kind="forums.reply")
    assert notification.link == reverse("forums:post", kwargs={"pk": post.pk})
    assert Topic.objects.get(pk=topic.pk).post_count == 2


def test_it_toggles_support_reactions_once_per_kind(author, reader, client_for):
    post = make_topic(author).posts.get()
    client = client_for(reader)
    url = reverse("forums:post_react", kwargs={"pk": post.pk})
    client.post(url, {"kind": "support", "on": "1"})
    client.post(url, {"kind": "support", "on": "1"})
    client.post(url, {"kind": "me_too", "on": "1"})
    assert Reaction.objects.filter(post=post, member=reader).count() == 2
    response = client.post(url, {"kind": "support", "on": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert list(Reaction.objects.filter(post=post).values_list("kind", flat=True)) == ["me_too"]
    assert client.post(url, {"kind": "like", "on": "1"}).status_code == 400


def test_it_follows_and_bookmarks(author, reader, client_for):
    topic = make_topic(author)
    post = topic.posts.get()
    client = client_for(reader)
    client.post(reverse("forums:community_follow", kwargs={"slug": topic.community.slug}), {"follow": "1"})
    client.post(reverse("forums:post_bookmark", kwargs={"pk": post.pk}), {"on": "1"})
    html = client.get(reverse("forums:bookmarks")).content.decode()
    assert topic.title in html
    make_topic(author, community=topic.community, title="Another")
    assert Notification.objects.filter(user=reader, kind="forums.topic").count() == 1


# --- unread tracking ---------------------------------------------------------------------------
def test_it_counts_unread_and_marks_new_posts(author, reader, client_for):
    topic = make_topic(author)
    client = client_for(reader)
    community_url = reverse("forums:community", kwargs={"slug": topic.community.slug})
    assert "new topic" in client.get(community_url).content.decode()
    client.get(reverse("forums:topic", kwargs={"pk": topic.pk}))
    assert TopicReadState.objects.get(member=reader, topic=topic).last_read_number == 1
    make_post(author, topic=topic, body="News")
    make_post(author, topic=topic, body="More news")
    assert "2 new" in client.get(community_url).content.decode()
    list_html = client.get(reverse("forums:communities")).content.decode()
    assert "1 with new posts" in list_html
    html = client.get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
    assert html.count('class="new-marker"') == 2
    assert "new-marker" not in client.get(community_url).content.decode()


# --- drafts ------------------------------------------------------------------------------------
def test_it_autosaves_a_draft_and_restores_it(author, reader, client_for):
    topic = make_topic(author)
    client = client_for(reader)
    response = client.post(reverse("forums:draft_save"), {
        "draft_community": topic.community.slug, "draft_topic": str(topic.pk), "body": "Half a thought",
        "identity_mode": "anonymous", "content_note": "grief",
    })
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    draft = Draft.objects.get(member=reader)
    assert draft.body == "Half a thought" and draft.identity_mode == "anonymous"
    html = client.get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
    assert "Half a thought" in html
    assert "Half a thought" in client.get(reverse("forums:drafts")).content.decode()
    client.post(reverse("forums:topic_reply", kwargs={"pk": topic.pk}), {"body": "Half a thought, finished", "identity_mode": "pseudonym"})
    assert not Draft.objects.filter(member=reader).exists()


def test_it_keeps_drafts_private(author, reader, client_for):
    topic = make_topic(author)
    client_for(reader).post(reverse("forums:draft_save"), {"draft_community": topic.community.slug, "body": "mine"})
    draft = Draft.objects.get(member=reader)
    assert client_for(author).post(reverse("forums:draft_delete", kwargs={"pk": draft.pk})).status_code == 404
    assert "mine" not in client_for(author).get(reverse("forums:drafts")).content.decode()


# --- edits and history -------------------------------------------------------------------------
def test_it_keeps_edit_history_for_the_author_and_moderators(author, reader, moderator, client_for):
    topic = make_topic(author, body="First words", identity_mode="anonymous")
    post = topic.posts.get()
    response = client_for(author).post(reverse("forums:post_edit", kwargs={"pk": post.pk}),
                                       {"title": topic.title, "body": "Second words", "content_note": "grief"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Second words" and post.edited_at is not None and post.content_note == "grief"
    assert PostRevision.objects.get(post=post).body == "First words"
    history_url = reverse("forums:post_history", kwargs={"pk": post.pk})
    moderator_html = client_for(moderator).get(history_url).content.decode()
    assert "First words" in moderator_html and "Verified clinician" in moderator_html
    _assert_hidden(moderator_html, author)
    assert client_for(author).get(history_url).status_code == 200
    assert client_for(reader).get(history_url).status_code == 404
    assert client_for(reader).get(reverse("forums:post_edit", kwargs={"pk": post.pk})).status_code == 404


# --- PHI guard (warn) --------------------------------------------------------------------------
def test_it_warns_about_identifiers_and_posts_after_a_soft_confirmation(author, reader, client_for):
    topic = make_topic(author)
    client = client_for(reader)
    url = reverse("forums:topic_reply", kwargs={"pk": topic.pk})
    data = {"body": "Call her on 555-201-3344 please", "identity_mode": "pseudonym"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "possible identifying details" in response.content.decode()
    assert topic.posts.count() == 1
    response = client.post(url, {**data, "phi_ack": "1"})
    assert response.status_code == 302 and topic.posts.count() == 2
    entry = AuditEntry.objects.get(action="forums.post.phi_warned")
    assert entry.data == {"categories": ["phone"]}


# --- limits ------------------------------------------------------------------------------------
def test_it_limits_new_members_posts_per_day(member_factory, author, client_for):
    topic = make_topic(author)
    newcomer = member_factory(verified=True)
    for number in range(NEW_MEMBER_POSTS_PER_DAY):
        post_create(actor=newcomer, topic=topic, body=f"post {number}")
    with pytest.raises(PostingLimitReached):
        post_create(actor=newcomer, topic=topic, body="one too many")
    response = client_for(newcomer).post(reverse("forums:topic_reply", kwargs={"pk": topic.pk}),
                                         {"body": "one too many", "identity_mode": "pseudonym"})
    assert response.status_code == 429 and "first week" in response.content.decode()
    assert topic.posts.count() == NEW_MEMBER_POSTS_PER_DAY + 1


# --- mentions ----------------------------------------------------------------------------------
def test_it_notifies_mentioned_members_even_from_anonymous_posts(author, reader, client_for):
    topic = make_topic(author)
    post = make_post(author, topic=topic, body="Thank you @BrightFern and @nobody", identity_mode="anonymous")
    assert list(Mention.objects.filter(post=post).values_list("member_id", flat=True)) == [reader.pk]
    notification = Notification.objects.get(user=reader, kind="forums.mention")
    assert notification.link == reverse("forums:post", kwargs={"pk": post.pk})
    # Editing the post does not notify again.
    post_edit(actor=author, post=post, body="Thank you again @brightfern")
    assert Notification.objects.filter(user=reader, kind="forums.mention").count() == 1


def test_it_does_not_notify_mentions_who_cannot_read_the_topic(author, member_factory):
    outsider = _named(member_factory, "outsideoak", "Outsider")
    private = make_community(audience=Audience.INVITATION)
    CommunityMembership.objects.create(community=private, member=author)
    topic_create(actor=author, community=private, title="Private", body="Hi @outsideoak")
    assert not Notification.objects.filter(user=outsider).exists()


# --- audiences ---------------------------------------------------------------------------------
def test_it_hides_invitation_and_role_communities_from_outsiders(author, reader, moderator, client_for):
    private = make_community(audience=Audience.INVITATION)
    supporters = make_community(audience=Audience.ROLE, audience_role=Role.SUPPORTER)
    CommunityMembership.objects.create(community=private, member=author)
    topic = make_topic(author, community=private)
    reader_client = client_for(reader)
    assert reader_client.get(reverse("forums:community", kwargs={"slug": private.slug})).status_code == 404
    assert reader_client.get(reverse("forums:topic", kwargs={"pk": topic.pk})).status_code == 404
    assert reader_client.get(reverse("forums:community", kwargs={"slug": supporters.slug})).status_code == 404
    listing = reader_client.get(reverse("forums:communities")).content.decode()
    assert private.name not in listing and supporters.name not in listing
    assert client_for(author).get(reverse("forums:community", kwargs={"slug": private.slug})).status_code == 200
    assert client_for(moderator).get(reverse("forums:topic", kwargs={"pk": topic.pk})).status_code == 200


def test_it_refuses_replies_in_a_locked_topic(author, reader, moderator, client_for):
    topic = make_topic(author)
    Topic.objects.filter(pk=topic.pk).update(locked=True)
    url = reverse("forums:topic_reply", kwargs={"pk": topic.pk})
    assert client_for(reader).post(url, {"body": "hi", "identity_mode": "pseudonym"}).status_code == 403
    assert client_for(moderator).post(url, {"body": "Moderator note", "identity_mode": "pseudonym"}).status_code == 302


# --- images ------------------------------------------------------------------------------------
def _png_with_metadata() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 51.5 -0.1 secret")
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(output, format="PNG", pnginfo=info)
    return output.getvalue()


def test_it_uploads_images_through_the_safe_path_and_serves_them_to_readers(author, member_factory, client_for, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    from django.core.files.uploadedfile import SimpleUploadedFile

    community = make_community()
    client = client_for(author)
    url = reverse("forums:image_upload", kwargs={"slug": community.slug})
    response = client.post(url, {"image": SimpleUploadedFile("x.png", _png_with_metadata(), "image/png")})
    assert response.status_code == 200
    from peerhaven.forums.models.posting import ForumImage

    image = ForumImage.objects.get()
    # The log never pairs an uploader with an image that may sit in an anonymous post.
    entry = AuditEntry.objects.get(action="forums.image.upload")
    assert entry.actor_id is None and entry.ip_address is None
    served = client.get(reverse("forums:image", kwargs={"key": image.key}))
    body = b"".join(served.streaming_content)
    assert served["Content-Type"] == "image/png" and b"secret" not in body
    svg = SimpleUploadedFile("x.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/png")
    assert client.post(url, {"image": svg}).status_code == 400
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf")
    assert client.post(url, {"image": pdf}).status_code == 400
    private = make_community(audience=Audience.INVITATION)
    ForumImage.objects.filter(pk=image.pk).update(community=private)
    assert client_for(member_factory(verified=True)).get(reverse("forums:image", kwargs={"key": image.key})).status_code == 404


# --- query counts ------------------------------------------------------------------------------
def _fill(topic: Topic, author: Any, total: int) -> None:
    """Bulk posts (a mix of identities, notes and reactions) without the service's limits,
    dated earlier so that they do not count against the author's hourly limit."""
    now = timezone.now() - dt.timedelta(hours=2)
    start = topic.post_count + 1
    posts = [
        Post(topic=topic, author=author, number=number, body=f"post {number}", rendered_html=f"<p>post {number}</p>",
             identity_mode=("anonymous", "pseudonym", "display_name")[number % 3],
             content_note="grief" if number % 4 == 0 else "", created_at=now)
        for number in range(start, start + total - topic.post_count)
    ]
    Post.objects.bulk_create(posts)
    Topic.objects.filter(pk=topic.pk).update(post_count=total)
    topic.refresh_from_db()
    Reaction.objects.bulk_create([Reaction(post=post, member=author, kind="support") for post in Post.objects.filter(topic=topic)])


def _queries(client: Any, url: str) -> int:
    client.get(url)  # warm-up right before: read state written, session's last-seen fresh
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_it_renders_the_topic_page_in_the_same_number_of_queries_for_1_50_and_500_posts(
    author, reader, moderator, client_for, django_assert_num_queries
):
    topics = {}
    for size in (1, 50, 500):
        topics[size] = make_topic(author, community=make_community(), body="first")
        _fill(topics[size], author, size)
    for viewer in (reader, moderator):
        client = client_for(viewer)
        # The first page, read before: a steady state (reading further pages moves the read
        # marker, one UPDATE, on any size).
        expected = _queries(client, reverse("forums:topic", kwargs={"pk": topics[1].pk}) + "?page=1")
        for size in (1, 50, 500):
            url = reverse("forums:topic", kwargs={"pk": topics[size].pk}) + "?page=1"
            client.get(url)
            with django_assert_num_queries(expected):
                response = client.get(url)
            assert response.status_code == 200
            assert response.content.decode().count('class="post card') == min(size, 20)


def test_it_renders_the_community_page_in_the_same_number_of_queries_for_1_50_and_500_posts(
    author, reader, client_for, django_assert_num_queries
):
    client = client_for(reader)
    communities = {}
    for size in (1, 50, 500):
        community = make_community()
        topic = make_topic(author, community=community, body="first")
        _fill(topic, author, size)
        for extra in range(size // 50 + 1):
            make_topic(author, community=community, title=f"Other {extra}", identity_mode="anonymous")
        communities[size] = community
    expected = _queries(client, reverse("forums:community", kwargs={"slug": communities[1].slug}))
    for size in (1, 50, 500):
        url = reverse("forums:community", kwargs={"slug": communities[size].slug})
        client.get(url)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
    assert _queries(client, reverse("forums:communities")) <= expected
