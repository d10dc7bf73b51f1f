"""The anonymous relay (moderators write to an anonymous author who stays unknown to them) and
the two-staff reveal (a request with a reason, a different staff member's approval, one audited
look by the requester, the author told)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerhaven.accounts.models import Role
from peerhaven.core.models import AuditEntry
from peerhaven.forums.models.moderation import RelayMessage, RevealRequest, RevealStatus
from peerhaven.forums.models.posting import PostIdentity
from peerhaven.forums.services import moderation as services
from peerhaven.forums.tests import moderation_helpers as h
from peerhaven.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(member_factory):
    return member_factory(verified=True)


@pytest.fixture
def anonymous_post(author):
    topic = h.topic(author, h.community(), body="opening")
    return h.reply(author, topic, "I am not safe tonight", identity_mode=PostIdentity.ANONYMOUS)


def _identity_strings(user) -> list[str]:
    return [user.profile.pseudonym, user.profile.display_name, user.email, str(user.public_id)]


def test_moderators_write_to_the_anonymous_author_through_the_relay(
    author, anonymous_post, member_factory, client_for, django_capture_on_commit_callbacks
) -> None:
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    client = client_for(moderator)
    url = reverse("forums:relay_moderator", args=[anonymous_post.pk])
    page = client.get(url)
    assert page.status_code == 200
    for secret in _identity_strings(author):
        assert secret not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"body": "We are here if you want to talk."}).status_code == 302
    notification = Notification.objects.get(user=author, kind="forums.relay")
    assert notification.link == reverse("forums:relay_author", args=[anonymous_post.pk])
    # The author reads and answers; the moderator sees "Verified clinician", never who.
    author_client = client_for(author)
    inbox = author_client.get(reverse("forums:relay_author", args=[anonymous_post.pk]))
    assert "We are here if you want to talk." in inbox.content.decode()
    assert "forums.relay" in Notification.objects.filter(user=author).values_list("kind", flat=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert author_client.post(reverse("forums:relay_author", args=[anonymous_post.pk]), {"body": "Thank you."}).status_code == 302
    assert Notification.objects.filter(user=moderator, kind="forums.relay_reply").exists()
    thread = client.get(url).content.decode()
    assert "Thank you." in thread and "Verified clinician" in thread
    for secret in _identity_strings(author):
        assert secret not in thread
    reply = AuditEntry.objects.get(action="forum.relay.from_author")
    assert reply.actor_id is None and reply.ip_address is None
    assert RelayMessage.objects.count() == 2
    notices = author_client.get(reverse("forums:moderation_notices")).content.decode()
    assert reverse("forums:relay_author", args=[anonymous_post.pk]) in notices


def test_the_relay_is_closed_to_everyone_else(author, anonymous_post, member_factory, client_for) -> None:
    stranger = member_factory(verified=True)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    # Before a moderator wrote, not even the author has a relay page.
    assert client_for(author).get(reverse("forums:relay_author", args=[anonymous_post.pk])).status_code == 404
    services.relay_send_to_author(actor=moderator, post=anonymous_post, body="hello")
    assert client_for(stranger).get(reverse("forums:relay_author", args=[anonymous_post.pk])).status_code == 404
    assert client_for(moderator).get(reverse("forums:relay_author", args=[anonymous_post.pk])).status_code == 404
    assert client_for(stranger).get(reverse("forums:relay_moderator", args=[anonymous_post.pk])).status_code == 404
    named = h.reply(author, anonymous_post.topic, "named post")
    assert client_for(moderator).get(reverse("forums:relay_moderator", args=[named.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.relay_send_to_author(actor=moderator, post=anonymous_post, body="   ")


@pytest.fixture
def two_staff(member_factory):
    return (member_factory(verified=True, roles=(Role.STAFF,)), member_factory(verified=True, roles=(Role.STAFF,)))


REASON = "The post describes a plan to end their life tonight; we must reach them."


def test_the_reveal_needs_two_staff_and_shows_the_identity_once(
    author, anonymous_post, two_staff, client_for, django_capture_on_commit_callbacks
) -> None:
    asker, approver = two_staff
    asker_client = client_for(asker, passkey=True)
    approver_client = client_for(approver, passkey=True)
    assert asker_client.post(reverse("forums:reveal_request", args=[anonymous_post.pk]), {"reason": "too short"}).status_code == 400
    assert asker_client.post(reverse("forums:reveal_request", args=[anonymous_post.pk]), {"reason": REASON}).status_code == 302
    reveal = RevealRequest.objects.get()
    assert reveal.status == RevealStatus.PENDING
    # The asker cannot approve their own request, and nothing is shown before approval.
    assert asker_client.post(reverse("forums:reveal_decide", args=[reveal.pk]), {"decision": "approve"}).status_code == 403
    page = asker_client.get(reverse("forums:reveal_show", args=[reveal.pk]))
    assert page.status_code == 409
    for secret in _identity_strings(author):
        assert secret not in page.content.decode()
    listing = approver_client.get(reverse("forums:reveal_list")).content.decode()
    assert REASON in listing
    for secret in _identity_strings(author):
        assert secret not in listing
    with django_capture_on_commit_callbacks(execute=True):
        assert approver_client.post(reverse("forums:reveal_decide", args=[reveal.pk]), {"decision": "approve"}).status_code == 302
    assert Notification.objects.filter(user=author, kind="forums.reveal").exists()
    # A late second decision is a conflict.
    assert approver_client.post(reverse("forums:reveal_decide", args=[reveal.pk]), {"decision": "decline"}).status_code == 409
    # The approver does not get to see it; the asker does, once, by a deliberate POST.
    assert approver_client.post(reverse("forums:reveal_show", args=[reveal.pk])).status_code == 409
    confirm = asker_client.get(reverse("forums:reveal_show", args=[reveal.pk]))
    assert confirm.status_code == 200 and author.email not in confirm.content.decode()
    shown = asker_client.post(reverse("forums:reveal_show", args=[reveal.pk]))
    assert shown.status_code == 200
    html = shown.content.decode()
    assert author.email in html and author.profile.pseudonym in html
    assert "no-store" in shown["Cache-Control"]
    again = asker_client.post(reverse("forums:reveal_show", args=[reveal.pk]))
    assert again.status_code == 409 and author.email not in again.content.decode()
    codes = list(AuditEntry.objects.filter(target_type="forums.post", target_id=str(anonymous_post.pk))
                 .values_list("action", "actor_id"))
    assert ("forum.reveal.request", asker.pk) in codes
    assert ("forum.reveal.approve", approver.pk) in codes
    assert ("forum.reveal.show", asker.pk) in codes
    notices = client_for(author).get(reverse("forums:moderation_notices")).content.decode()
    assert "staff were allowed to learn" in notices


def test_a_declined_reveal_shows_nothing(author, anonymous_post, two_staff) -> None:
    asker, approver = two_staff
    reveal = services.reveal_request_create(actor=asker, post=anonymous_post, reason=REASON)
    services.reveal_request_decide(actor=approver, reveal=reveal, approve=False)
    with pytest.raises(services.ModerationConflict):
        services.reveal_show(actor=asker, reveal=reveal)
    assert not __import__("peerhaven.notifications.models", fromlist=["Notification"]).Notification.objects.filter(
        user=author, kind="forums.reveal").exists()


def test_only_staff_ask_and_only_about_anonymous_posts(author, anonymous_post, member_factory, two_staff) -> None:
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    asker, _approver = two_staff
    with pytest.raises(PermissionDenied):
        services.reveal_request_create(actor=moderator, post=anonymous_post, reason=REASON)
    named = h.reply(author, anonymous_post.topic, "named")
    with pytest.raises(PermissionDenied):
        services.reveal_request_create(actor=asker, post=named, reason=REASON)
    services.reveal_request_create(actor=asker, post=anonymous_post, reason=REASON)
    with pytest.raises(services.ModerationConflict):
        services.reveal_request_create(actor=asker, post=anonymous_post, reason=REASON)


def test_simultaneous_approvals_decide_once(author, anonymous_post, member_factory, two_staff) -> None:
    asker, approver = two_staff
    third = member_factory(verified=True, roles=(Role.STAFF,))
    reveal = services.reveal_request_create(actor=asker, post=anonymous_post, reason=REASON)
    services.reveal_request_decide(actor=approver, reveal=reveal, approve=True)
    with pytest.raises(services.ModerationConflict):
        services.reveal_request_decide(actor=third, reveal=reveal, approve=False)
    reveal.refresh_from_db()
    assert reveal.status == RevealStatus.APPROVED and reveal.decided_by == approver


def test_relay_messages_go_through_the_phi_guard_as_a_warning(
    author, anonymous_post, member_factory, client_for, django_capture_on_commit_callbacks
) -> None:
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    client = client_for(moderator)
    url = reverse("forums:relay_moderator", args=[anonymous_post.pk])
    data = {"body": "Please call the clinic on 555-201-3344 tonight."}
    # First send: the findings are shown, nothing is sent.
    warned = client.post(url, data)
    assert warned.status_code == 200
    assert "possible identifying details" in warned.content.decode()
    assert RelayMessage.objects.count() == 0
    # Sent anyway: a warning, not a block; audited by category only.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**data, "phi_ack": "1"}).status_code == 302
    assert RelayMessage.objects.count() == 1
    entry = AuditEntry.objects.get(action="forum.relay.phi_warned")
    assert entry.actor_id == moderator.pk and entry.data["categories"] == ["phone"]
    assert "555" not in str(entry.data)
    # A message without identifiers goes straight through.
    assert client.post(url, {"body": "We are here if you want to talk."}).status_code == 302
    assert RelayMessage.objects.count() == 2
    # The anonymous author's answer is checked the same way, and its audit row names nobody.
    author_client = client_for(author)
    author_url = reverse("forums:relay_author", args=[anonymous_post.pk])
    answer = {"body": "Thanks, my number is 555-201-3344."}
    assert "possible identifying details" in author_client.post(author_url, answer).content.decode()
    assert RelayMessage.objects.count() == 2
    assert author_client.post(author_url, {**answer, "phi_ack": "1"}).status_code == 302
    assert RelayMessage.objects.count() == 3
    from_author = AuditEntry.objects.filter(action="forum.relay.phi_warned").exclude(pk=entry.pk).get()
    assert from_author.actor_id is None and from_author.ip_address is None
