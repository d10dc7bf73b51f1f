"""The anonymity canary (acceptance): a unique author posts anonymously; everything that can
happen around the post happens (a follower is notified, a member is mentioned, the post is
reported, a watched word queues it, a moderator writes through the relay and the author answers,
a warning, a digest, a reveal request approved by a second staff member); then every URL in the
resolver, every API operation, every e-mail and notification, the websocket routes, other
members' exports, the search rows and every log record are searched for the author.

A trace is the author's pseudonym, display name, e-mail address or public id (or their user id
next to the post in the audit log, or in a JSON author/user field) anywhere a moderator, staff
member or other member can see it together with the anonymous post. Pages that know nothing of
the post (the staff member list, for instance) may name the member: that links nothing.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.models import Profile, Role
from peerhaven.api.api import api
from peerhaven.core import privacy
from peerhaven.core.models import AuditEntry
from peerhaven.core.tests.test_permission_grid import all_routes, described_routes
from peerhaven.forums.models.moderation import (
    DigestFrequency,
    PostSearchDocument,
    WatchedWordAction,
)
from peerhaven.forums.models.posting import PostIdentity, TopicFollow
from peerhaven.forums.search.engine import SearchFilters, search_posts
from peerhaven.forums.services import moderation as services
from peerhaven.forums.tests.grid_posting import make_community, seasoned
from peerhaven.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=False)

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


class Canary:
    def __init__(self, member_factory: Any) -> None:
        tag = uuid.uuid4().hex[:10]
        self.word = f"canaryword{tag}"
        self.title = f"Canary topic {tag}"
        self.author = seasoned(member_factory(verified=True, email=f"canary-{tag}@example.org"))
        Profile.objects.filter(user=self.author).update(pseudonym=f"canarypseudo{tag}", display_name=f"Canary Display {tag}")
        self.author.refresh_from_db()
        self.secrets = [
            self.author.profile.pseudonym, self.author.profile.display_name, self.author.email, str(self.author.public_id),
            self.author.profile.pseudonym.lower(), self.author.email.lower(),
        ]


def _leaks(text: str, canary: Canary) -> list[str]:
    return [secret for secret in canary.secrets if secret and secret in text]


def _post_markers(canary: Canary, post_ids: list[int]) -> list[str]:
    return [canary.word, canary.title, *(f"/community/p/{pk}/" for pk in post_ids)]


@pytest.fixture
def scenario(member_factory: Any, django_capture_on_commit_callbacks: Any, settings: Any) -> dict[str, Any]:
    from peerhaven.forums.services.posting import post_create, topic_create

    canary = Canary(member_factory)
    moderator = member_factory(verified=True, roles=(Role.MODERATOR,))
    staff = member_factory(verified=True, roles=(Role.STAFF,))
    second_staff = member_factory(verified=True, roles=(Role.STAFF,))
    reader = seasoned(member_factory(verified=True))
    other = member_factory(verified=True)
    community = make_community(name="Canary community")
    services.watched_word_add(actor=staff, word=f"queue{canary.word}", action=WatchedWordAction.QUEUE)
    services.forum_settings_update(actor=staff, digest_titles=True)
    services.digest_preference_set(actor=reader, frequency=DigestFrequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        topic = topic_create(actor=canary.author, community=community, title=canary.title,
                             body=f"{canary.word} opening, anonymously.", identity_mode=PostIdentity.ANONYMOUS)
        TopicFollow.objects.get_or_create(topic=topic, member=reader)
        reader_post = post_create(actor=reader, topic=topic, body="I hear you.")
        post = post_create(actor=canary.author, topic=topic, reply_to=reader_post,
                           body=f"Thank you @{reader.profile.pseudonym}. {canary.word} queue{canary.word}",
                           identity_mode=PostIdentity.ANONYMOUS)
        first = topic.posts.get(number=1)
        from peerhaven.safety.registry import REPORTABLE
        from peerhaven.safety.services import report_content_create

        report_content_create(actor=other, reportable=REPORTABLE["forums.post"], target=post, reason="self_harm",
                              details="worried about them")
        services.relay_send_to_author(actor=moderator, post=post, body="Are you safe tonight?")
        services.relay_reply_from_author(actor=canary.author, post=post, body="I am safer now, thank you.")
        services.member_warn(actor=moderator, post=first, reason="other")
        reveal = services.reveal_request_create(actor=staff, post=post, reason="Imminent risk: the post describes a plan.")
        services.reveal_request_decide(actor=second_staff, reveal=reveal, approve=True)
        services.digests_send(now=timezone.now() + timezone.timedelta(days=1))
    return {
        "canary": canary, "moderator": moderator, "staff": staff, "reader": reader, "other": other,
        "community": community, "topic": topic, "post": post, "first": first, "reveal": reveal,
    }


def _viewers(scenario: dict[str, Any]) -> dict[str, Client]:
    # Another app's error page is not a leak: keep walking instead of raising.
    return {
        "moderator": sign_in(Client(raise_request_exception=False), scenario["moderator"]),
        "staff": sign_in(Client(raise_request_exception=False), scenario["staff"], passkey=True),
        "reader": sign_in(Client(raise_request_exception=False), scenario["reader"]),
        "other": sign_in(Client(raise_request_exception=False), scenario["other"]),
    }


def _kwargs_candidates(name: str, pattern: str, scenario: dict[str, Any], owner_kwargs: dict[str, Any] | None) -> list[dict[str, Any]]:
    params = [match[1] for match in _PARAM.findall(pattern)]
    if not params:
        return [{}]
    ids = sorted({scenario["post"].pk, scenario["first"].pk, scenario["topic"].pk, scenario["reveal"].pk})
    candidates: list[dict[str, Any]] = []
    # Our ids mean our objects only in the forums and safety routes; elsewhere a pk is some
    # other app's object, walked through that app's own grid builder instead.
    ours = name.split(":")[0] in {"forums", "safety"}
    if params == ["pk"] and ours:
        candidates += [{"pk": pk} for pk in ids]
    elif params == ["slug"]:
        candidates.append({"slug": scenario["community"].slug})
    elif sorted(params) == ["label", "object_id"]:
        candidates += [{"label": "forums.post", "object_id": pk} for pk in (scenario["post"].pk, scenario["first"].pk)]
    if owner_kwargs is not None:
        candidates.append(owner_kwargs)
    return candidates


def test_the_anonymous_author_leaves_no_trace(scenario: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    canary: Canary = scenario["canary"]
    post_ids = [scenario["post"].pk, scenario["first"].pk]
    markers = _post_markers(canary, post_ids)
    failures: list[str] = []
    viewers = _viewers(scenario)
    described = described_routes()
    walked = 0

    # 1. Every URL in the resolver, as a moderator, staff, the follower and another member.
    for name, pattern in sorted(all_routes().items()):
        route = described.get(name)
        owner_kwargs = None
        if route is not None and route.make_kwargs is not None and _PARAM.search(pattern):
            try:
                owner_kwargs = route.make_kwargs(scenario["other"])
            except Exception:  # noqa: BLE001 - a builder that needs other preconditions: walk the rest
                owner_kwargs = None
        for kwargs in _kwargs_candidates(name, pattern, scenario, owner_kwargs):
            try:
                url = reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
            for who, client in viewers.items():
                response = client.get(url)
                walked += 1
                body = response.content.decode("utf-8", "replace") if response.get("Content-Type", "").startswith(("text/", "application/json")) else ""
                body += " " + response.get("Location", "")
                leaked = _leaks(body, canary)
                if leaked and any(marker in body for marker in markers):
                    failures.append(f"{name} {url} as {who}: {leaked}")
    # The pages that search and list: with the canary word and the author's pseudonym.
    for who, client in viewers.items():
        body = client.get(reverse("forums:search"), {"q": canary.word}).content.decode()
        if _leaks(body, canary):
            failures.append(f"search as {who}: {_leaks(body, canary)}")
        by_author = client.get(reverse("forums:search"), {"q": canary.word, "author": canary.author.profile.pseudonym})
        if "<mark>" in by_author.content.decode():
            failures.append(f"the author filter found the anonymous post as {who}")
    assert walked > 400, f"only {walked} requests walked"

    # 2. The audit log never puts the author's id next to the anonymous post or its topic.
    targets = {("forums.post", str(pk)) for pk in post_ids} | {("forums.topic", str(scenario["topic"].pk))}
    for entry in AuditEntry.objects.all():
        if (entry.target_type, entry.target_id) in targets and entry.actor_id == canary.author.pk:
            failures.append(f"audit row {entry.action} names the author as actor of the anonymous post")
        if canary.author.pk in {entry.data.get(key) for key in ("author", "member", "user") if isinstance(entry.data, dict)}:
            failures.append(f"audit row {entry.action} carries the author's id")

    # 3. Every API operation (GET) in the OpenAPI document, as each viewer.
    schema = api.get_openapi_schema()
    path_values = {"post_id": scenario["post"].pk, "topic_id": scenario["topic"].pk, "slug": scenario["community"].slug}
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(name not in path_values for name in names):
            continue
        url = path.format(**{name: path_values[name] for name in names})
        query = {"q": canary.word} if path.endswith("/search") else {}
        for who, client in viewers.items():
            for extra in ({}, {"author": canary.author.profile.pseudonym} if query else {}):
                response = client.get(url, {**query, **extra})
                body = response.content.decode()
                if _leaks(body, canary):
                    failures.append(f"API {url} as {who}: {_leaks(body, canary)}")
                if response.get("Content-Type", "").startswith("application/json"):
                    failures += [f"API {url} as {who}: {field}" for field in _id_fields(json.loads(body), canary.author.pk)]
                if extra and path.endswith("/search") and json.loads(body)["hits"]:
                    failures.append(f"API search by the author's pseudonym found the anonymous post as {who}")

    # 4. Every e-mail not addressed to the author, and every notification of someone else.
    for message in mail.outbox:
        if canary.author.email in message.to:
            continue
        text = message.subject + message.body + "".join(str(part[0]) for part in getattr(message, "alternatives", []))
        if _leaks(text, canary):
            failures.append(f"e-mail to {message.to}: {_leaks(text, canary)}")
    assert any(scenario["reader"].email in message.to for message in mail.outbox), "the follower got no e-mail at all"
    for notification in Notification.objects.exclude(user=canary.author):
        if _leaks(notification.link + notification.title, canary):
            failures.append(f"notification {notification.kind} to member {notification.user_id}")

    # 5. Websocket frames: the forums push nothing over websockets (no consumer of theirs), so no
    #    frame can carry the author.
    from peerhaven.core.websocket_routes import websocket_urlpatterns

    assert not any("forum" in str(route.pattern) or "community" in str(route.pattern) for route in websocket_urlpatterns)

    # 6. Other members' exports.
    for who in ("moderator", "staff", "reader", "other"):
        for section in privacy.sections():
            if section.exporter is None:
                continue
            exported = json.dumps(section.exporter(scenario[who]), default=str)
            if _leaks(exported, canary):
                failures.append(f"export section {section.name} of {who}: {_leaks(exported, canary)}")

    # 7. The search rows of anonymous posts have no author; the author filter never finds them.
    for pk in post_ids:
        document = PostSearchDocument.objects.get(pk=pk)
        if document.named_author_id is not None or document.shown_as:
            failures.append(f"search row of post {pk} names an author")
    for who in ("moderator", "staff", "reader"):
        found = search_posts(scenario[who], SearchFilters(query=canary.word, author=canary.author.profile.pseudonym))
        if found.hits:
            failures.append(f"search by author found anonymous posts for {who}")
        if not search_posts(scenario[who], SearchFilters(query=canary.word)).hits:
            failures.append(f"the anonymous posts are not searchable for {who} (the test would prove nothing)")

    # 8. Logs: nothing logged anywhere names the author.
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(str(value) for value in record.__dict__.values())
        if _leaks(text, canary):
            failures.append(f"log record {record.name}: {_leaks(text, canary)}")

    assert not failures, "The anonymous author leaked:\n" + "\n".join(sorted(set(failures)))


def _id_fields(payload: Any, author_id: int) -> list[str]:
    """JSON fields that name a member by id with the author's id as value."""
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            if value == author_id and any(word in key.lower() for word in ("author", "user", "member", "sender")):
                found.append(key)
            found += _id_fields(value, author_id)
    elif isinstance(payload, list):
        for value in payload:
            found += _id_fields(value, author_id)
    return found


def test_the_canary_would_catch_a_leak(scenario: dict[str, Any]) -> None:
    """The detector itself: a page that shows the post and the author's pseudonym is caught."""
    canary: Canary = scenario["canary"]
    page = f"<p>{canary.word}</p><p>by {canary.author.profile.pseudonym}</p>"
    assert _leaks(page, canary) and any(marker in page for marker in _post_markers(canary, [scenario["post"].pk]))
    assert _id_fields({"posts": [{"author_id": canary.author.pk}]}, canary.author.pk) == ["author_id"]
