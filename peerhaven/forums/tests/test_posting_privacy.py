"""Export and erasure of forum posting data: a member's own anonymous posts are in their own
export; nobody else's export names them; erased authors become "former member"."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from peerhaven.accounts.services import account_erase, account_export
from peerhaven.forums.models.posting import Post, Reaction, Topic
from peerhaven.forums.services.posting import reaction_set
from peerhaven.forums.tests.grid_posting import make_post, make_topic, seasoned

pytestmark = pytest.mark.django_db


def _dump(data: object) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder)


def test_it_exports_the_members_own_anonymous_posts_but_nobody_elses(member_factory):
    author = seasoned(member_factory(verified=True))
    other = seasoned(member_factory(verified=True))
    topic = make_topic(author, body="My anonymous words", identity_mode="anonymous")
    make_post(other, topic=topic, body="Other's reply")
    reaction_set(actor=other, post=topic.posts.get(number=1), kind="support", on=True)

    archive = _dump(account_export(actor=author))
    assert "My anonymous words" in archive and "Other's reply" not in archive
    assert '"anonymous": true' in archive
    theirs = _dump(account_export(actor=other))
    assert "My anonymous words" not in theirs
    assert author.email not in theirs and author.profile.pseudonym not in theirs


def test_it_keeps_posts_as_former_member_on_erasure(member_factory, client_for):
    author = seasoned(member_factory(verified=True))
    reader = member_factory(verified=True)
    topic = make_topic(author, body="Named words")
    make_post(author, topic=topic, body="Anon words", identity_mode="anonymous")
    pseudonym = author.profile.pseudonym
    account_erase(actor=author, keep_posts_as_former_member=True)
    assert Post.objects.filter(topic=topic, author__isnull=True).count() == 2
    html = client_for(reader).get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
    assert "former member" in html and "Verified clinician" in html and pseudonym not in html


def test_it_deletes_posts_when_asked_and_empty_topics_with_them(member_factory):
    author = seasoned(member_factory(verified=True))
    other = seasoned(member_factory(verified=True))
    lonely = make_topic(author, body="Only mine")
    shared = make_topic(other, body="Theirs")
    make_post(author, topic=shared, body="My reply")
    reaction_set(actor=author, post=shared.posts.get(number=1), kind="helpful", on=True)
    account_erase(actor=author, keep_posts_as_former_member=False)
    assert not Topic.objects.filter(pk=lonely.pk).exists()
    assert list(Post.objects.filter(topic=shared).values_list("body", flat=True)) == ["Theirs"]
    assert not Reaction.objects.exists()
