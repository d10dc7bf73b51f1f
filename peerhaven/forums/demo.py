"""Demo data for the forums (`manage.py seed_demo`): communities, topics and replies, some
anonymous and some with content notes (posting concern). Idempotent."""

from __future__ import annotations

from typing import Any

from peerhaven.accounts.models import Role, User

DEMO_COMMUNITIES: list[dict[str, Any]] = [
    {
        "slug": "secondary-trauma", "name": "Secondary trauma",
        "description": "When our clients' pain stays with us: noticing it, naming it, looking after ourselves.",
        "posting_rules": "No client-identifying details. Use a content note for anything graphic. Be kind.",
        "topics": [
            {"author": "member01", "identity": "anonymous", "note": "client_death",
             "title": "Losing a client to suicide, six months on",
             "body": "I still replay our last session. Some days I wonder whether I should keep practising. "
                     "How did you carry this?",
             "replies": [("member09", "pseudonym", "", "Sending you support. It took me more than a year, and "
                                                        "supervision helped more than I expected."),
                         ("member14", "anonymous", "grief", "Same here. I wrote a letter I never sent. It helped me "
                                                             "grieve without blaming myself.")]},
            {"author": "member10", "identity": "pseudonym", "note": "",
             "title": "Small rituals after heavy sessions",
             "body": "I wash my hands slowly and name three things in the room. What are yours?",
             "replies": [("member22", "display_name", "", "A short walk round the block, phone in my pocket."),
                         ("member03", "pseudonym", "", "Thanks @CedarBench, I am stealing the hand-washing.")]},
        ],
    },
    {
        "slug": "boundaries", "name": "Boundaries and work-life balance",
        "description": "Saying no, closing the laptop, and the guilt that comes with both.",
        "posting_rules": "Share what works for you; advice only when asked.",
        "topics": [
            {"author": "member07", "identity": "pseudonym", "note": "",
             "title": "Do you answer client messages at weekends?",
             "body": "I have started to, and I resent it. Curious how others hold this line.",
             "replies": [("member12", "anonymous", "", "I used to. An auto-reply with crisis numbers changed everything."),
                         ("member16", "pseudonym", "", "Only for agreed emergencies, written into my contract.")]},
        ],
    },
    {
        "slug": "supporters-lounge", "name": "Peer supporters' lounge",
        "description": "For peer supporters: what it is like to hold space for colleagues.",
        "audience": "role", "audience_role": Role.SUPPORTER,
        "topics": [
            {"author": "member02", "identity": "pseudonym", "note": "",
             "title": "When a colleague's story mirrors my own",
             "body": "How do you stay present when a peer brings something close to home?",
             "replies": [("member03", "pseudonym", "", "I notice it out loud to myself, then come back to them.")]},
        ],
    },
]


def _user(slug: str) -> User | None:
    from peerhaven.core.demo import DEMO_DOMAIN

    return User.objects.filter(email=f"{slug}@{DEMO_DOMAIN}").select_related("profile").first()


def seed_demo_posting() -> str:
    from peerhaven.forums.models.posting import Community, Topic
    from peerhaven.forums.services.posting import community_create, post_create, topic_create

    created_topics = 0
    for position, spec in enumerate(DEMO_COMMUNITIES):
        community = Community.objects.filter(slug=spec["slug"]).first()
        if community is None:
            community = community_create(
                actor=None, slug=spec["slug"], name=spec["name"], description=spec["description"],
                audience=spec.get("audience", "verified"), audience_role=spec.get("audience_role", ""),
                posting_rules=spec.get("posting_rules", ""), position=position,
            )
        for topic_spec in spec["topics"]:
            if Topic.objects.filter(community=community, title=topic_spec["title"]).exists():
                continue
            author = _user(topic_spec["author"])
            if author is None:
                continue
            topic = topic_create(actor=author, community=community, title=topic_spec["title"],
                                 body=topic_spec["body"], identity_mode=topic_spec["identity"],
                                 content_note=topic_spec["note"])
            created_topics += 1
            for slug, identity, note, body in topic_spec["replies"]:
                replier = _user(slug)
                if replier is not None:
                    post_create(actor=replier, topic=topic, body=body, identity_mode=identity, content_note=note)
    return f"Forums: {len(DEMO_COMMUNITIES)} communities ({created_topics} topics created)."


DEMO_RESOURCES: list[dict[str, Any]] = [
    {"title": "A five-minute grounding routine between sessions", "kind": "writeup", "tags": ["self_care", "secondary_trauma"],
     "summary": "Feet on the floor, name five things you can see, three slow breaths out longer than in. "
                "Then one sentence to yourself about what you are leaving in the room.",
     "suggested_by": "member10"},
    {"title": "Professional quality of life: compassion fatigue and satisfaction", "kind": "link",
     "tags": ["secondary_trauma", "burnout"], "url": "https://proqol.org/",
     "summary": "A free self-assessment many of us use once a quarter.", "suggested_by": "member03"},
    {"title": "Writing an out-of-hours policy you can keep", "kind": "writeup", "tags": ["boundaries", "work_life", "ethics"],
     "summary": "What counts as an emergency, how clients reach crisis services instead, and the auto-reply text.",
     "suggested_by": "member16"},
]


def seed_demo_moderation() -> str:
    """Resources (published, each with its discussion topic), a watched word, and a flagged post
    waiting in the moderation queue. Idempotent."""
    from peerhaven.forums.models.moderation import Resource, WatchedWord
    from peerhaven.forums.models.posting import Community, Post
    from peerhaven.forums.services.moderation import (
        resource_publish,
        resource_suggest,
        watched_word_add,
    )
    from peerhaven.safety.models import Report
    from peerhaven.safety.registry import REPORTABLE
    from peerhaven.safety.services import report_content_create

    moderator, staff, flagger = _user("member07"), _user("staff"), _user("member09")
    library_home = Community.objects.filter(slug="secondary-trauma").first()
    published = 0
    if moderator is not None and library_home is not None:
        for spec in DEMO_RESOURCES:
            if Resource.objects.filter(title=spec["title"]).exists():
                continue
            suggester = _user(spec["suggested_by"])
            if suggester is None:
                continue
            resource = resource_suggest(actor=suggester, title=spec["title"], kind=spec["kind"], url=spec.get("url", ""),
                                        summary=spec["summary"], tags=spec["tags"])
            resource_publish(actor=moderator, resource=resource, community=library_home)
            published += 1
    if staff is not None and not WatchedWord.objects.filter(normalised="buy now").exists():
        watched_word_add(actor=staff, word="buy now", action="queue")
    target = Post.objects.filter(topic__title="Do you answer client messages at weekends?", number=2).first()
    if flagger is not None and target is not None and target.author_id != flagger.pk:
        if not Report.objects.filter(object_id=target.pk, reporter=flagger).exists():
            report_content_create(actor=flagger, reportable=REPORTABLE["forums.post"], target=target, reason="other",
                                  details="This reads like it might be a real client's situation; could a moderator check?")
    return f"Forum moderation: {published} resources published, a watched word, a flagged post."


def seed_demo_programme() -> str:
    return " ".join([seed_demo_posting(), seed_demo_moderation()])
