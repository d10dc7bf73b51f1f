"""The resource library: members suggest (links, documents through the safe upload path,
write-ups), moderators publish with a discussion topic or decline; members search by words and
topic tags; documents are served only through the authorised view."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from peerhaven.accounts.models import Role
from peerhaven.forums.models.moderation import Resource, ResourceStatus
from peerhaven.forums.models.posting import Topic
from peerhaven.forums.selectors.moderation import library
from peerhaven.forums.services.moderation import (
    resource_decline,
    resource_publish,
    resource_suggest,
)
from peerhaven.forums.tests import moderation_helpers as h

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("card.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def people(member_factory):
    return {
        "member": member_factory(verified=True),
        "moderator": member_factory(verified=True, roles=(Role.MODERATOR,)),
        "other": member_factory(verified=True),
    }


def test_members_suggest_and_moderators_publish_with_a_topic(people, client_for, django_capture_on_commit_callbacks) -> None:
    client = client_for(people["member"])
    response = client.post(reverse("forums:resource_suggest"), {
        "title": "Grounding after hard sessions", "kind": "writeup", "summary": "Feet on the floor, five breaths.",
        "tags": ["self_care", "secondary_trauma"],
    })
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.status == ResourceStatus.SUGGESTED and resource.suggested_by == people["member"]
    assert client_for(people["other"]).get(reverse("forums:resource", args=[resource.pk])).status_code == 404
    assert resource not in library()
    room = h.community(name="Library talk")
    moderator_client = client_for(people["moderator"])
    assert moderator_client.get(reverse("forums:resource_review")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert moderator_client.post(reverse("forums:resource_decide", args=[resource.pk]),
                                     {"decision": "publish", "community": room.pk}).status_code == 302
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED and resource.topic is not None
    assert Topic.objects.get(pk=resource.topic_id).community == room
    assert people["member"].notifications.filter(kind="forums.resource_published").exists()
    page = client_for(people["other"]).get(reverse("forums:resource", args=[resource.pk])).content.decode()
    assert "Feet on the floor" in page and reverse("forums:topic", args=[resource.topic_id]) in page
    assert moderator_client.post(reverse("forums:resource_decide", args=[resource.pk]),
                                 {"decision": "publish", "community": room.pk}).status_code == 409


def test_the_library_is_searchable_by_words_and_tags(people) -> None:
    room = h.community()
    one = resource_suggest(actor=people["member"], title="Boundaries with pagers", kind="link",
                           url="https://example.org/pagers", tags=["boundaries"])
    two = resource_suggest(actor=people["member"], title="Grief rituals", kind="writeup", summary="Light a candle.",
                           tags=["grief"])
    for resource in (one, two):
        resource_publish(actor=people["moderator"], resource=resource, community=room)
    assert list(library(tag="grief")) == [two]
    assert list(library(query="pagers")) == [one]
    assert list(library(query="candle")) == [two]
    assert set(library()) == {one, two}


def test_documents_go_through_the_safe_upload_path(people, client_for, settings, tmp_path) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    resource = resource_suggest(actor=people["member"], title="Coping card", kind="document", upload=_png(), tags=["self_care"])
    assert resource.document_type == "image/png"
    stored = next(tmp_path.rglob("*.bin")).read_bytes()
    assert not stored.startswith(b"\x89PNG")  # encrypted at rest
    resource_publish(actor=people["moderator"], resource=resource, community=h.community())
    response = client_for(people["other"]).get(reverse("forums:resource_document", args=[resource.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response["Content-Disposition"].startswith("attachment")
    with pytest.raises(ValidationError):
        resource_suggest(actor=people["member"], title="Not a document", kind="document",
                         upload=SimpleUploadedFile("x.pdf", b"<html>nope</html>"), tags=["ethics"])


def test_bad_suggestions_are_refused_kindly(people, client_for) -> None:
    client = client_for(people["member"])
    assert client.post(reverse("forums:resource_suggest"), {"title": "x", "kind": "link", "tags": ["ethics"]}).status_code == 400
    assert client.post(reverse("forums:resource_suggest"), {"title": "x", "kind": "writeup", "tags": []}).status_code == 400
    assert not Resource.objects.exists()


def test_only_moderators_decide(people) -> None:
    resource = resource_suggest(actor=people["member"], title="Ethics podcast", kind="link",
                                url="https://example.org/ethics", tags=["ethics"])
    with pytest.raises(PermissionDenied):
        resource_publish(actor=people["other"], resource=resource, community=h.community())
    resource_decline(actor=people["moderator"], resource=resource)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.DECLINED
