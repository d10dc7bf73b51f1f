"""Demo data for the groups programme (`manage.py seed_demo`): groups with members, a thread and
a case presentation (groups concern), and their meetings (meetings concern). Idempotent."""

from __future__ import annotations

from typing import Any

from peerhaven.accounts.models import User

DEMO_GROUPS: list[dict[str, Any]] = [
    {
        "facilitator": "member05",
        "name": "Trauma case consultation",
        "description": "A small consultation group for clinicians working with trauma. We meet weekly and "
                       "bring de-identified cases between meetings.",
        "kind": "consultation", "visibility": "listed", "join_policy": "request", "capacity": 8,
        "language": "en", "time_zone": "Europe/Dublin", "jurisdictions": ["Ireland", "United Kingdom"],
        "agreement_text": "What is shared in this group stays in this group.\n\nWe bring only de-identified "
                          "case material. We listen first, and we give feedback with care.",
        "members": ["member01", "member07", "member09", "member10"],
        "requests": ["member17"],
        "thread": ("Holding the frame with late arrivals", "How do you handle a client who is often twenty "
                   "minutes late? I notice I shorten my own patience rather than the session."),
        "replies": [("member01", "I name it early and gently, and I keep the end time. It helps both of us."),
                    ("member09", "Same here. I also ask what being late protects them from.")],
        "presentation": {
            "author": "member10",
            "title": "Stuck when anger fills the room",
            "presenting_question": "How can I stay steady when a client's anger is aimed at me?",
            "context": "Weekly individual sessions for about a year, integrative approach.",
            "vignette": "A client in their forties feels unheard at work and at home. In recent sessions "
                        "the anger has turned towards me, and I notice I start to over-explain.",
            "needs": "Ways to name what is happening without defending myself.",
        },
    },
    {
        "facilitator": "member06",
        "name": "Reflective practice circle",
        "description": "An open circle for reflecting on the work and on ourselves in it. Fortnightly, "
                       "friendly to all modalities.",
        "kind": "reflective", "visibility": "listed", "join_policy": "open", "capacity": 10,
        "language": "en", "time_zone": "Pacific/Auckland", "jurisdictions": ["New Zealand", "Australia"],
        "agreement_text": "We speak from our own experience, keep each other's stories confidential, and "
                          "step back when we have had a turn.",
        "members": ["member22", "member23", "member24"],
        "requests": [],
        "thread": ("What restores you after a heavy week?", "Mine is a long walk without a podcast."),
        "replies": [("member23", "The sea, most weeks. And a supervisor who laughs with me.")],
        "presentation": None,
    },
]


def _user(slug: str) -> User | None:
    from peerhaven.core.demo import DEMO_DOMAIN

    return User.objects.filter(email=f"{slug}@{DEMO_DOMAIN}").select_related("profile").first()


def seed_demo_groups() -> str:
    from peerhaven.core.policies import forget_cached_roles
    from peerhaven.groups.models.groups import CasePresentation, Group, Membership, Thread
    from peerhaven.groups.services.groups import (
        agreement_accept,
        comment_create,
        group_create,
        membership_approve,
        membership_request,
        post_create,
        presentation_create,
        thread_create,
    )

    created = 0
    for spec in DEMO_GROUPS:
        facilitator = _user(spec["facilitator"])
        if facilitator is None:
            continue
        forget_cached_roles(facilitator)
        group = Group.objects.filter(name=spec["name"], created_by=facilitator).first()
        if group is None:
            fields = {key: spec[key] for key in ("name", "description", "kind", "visibility", "join_policy",
                                                  "capacity", "language", "time_zone", "jurisdictions",
                                                  "agreement_text")}
            group = group_create(actor=facilitator, **fields)
            created += 1
        for slug in spec["members"]:
            member = _user(slug)
            if member is None or Membership.objects.filter(group=group, user=member, status="active").exists():
                continue
            if group.join_policy == "request":
                membership = Membership.objects.filter(group=group, user=member).first()
                if membership is None or membership.status != "approved":
                    membership = membership_request(actor=member, group=group)
                    membership_approve(actor=facilitator, membership=membership)
            agreement_accept(actor=member, group=group, version=group.agreement_version)
        for slug in spec["requests"]:
            member = _user(slug)
            if member is not None and not Membership.objects.filter(group=group, user=member).exists():
                membership_request(actor=member, group=group)
        title, body = spec["thread"]
        if not Thread.objects.filter(group=group).exists():
            thread = thread_create(actor=facilitator, group=group, title=title, body=body, phi_confirmed=True)
            for slug, reply in spec["replies"]:
                author = _user(slug)
                if author is not None:
                    post_create(actor=author, thread=thread, body=reply, phi_confirmed=True)
        case = spec["presentation"]
        author = _user(case["author"]) if case else None
        if case and author is not None and not CasePresentation.objects.filter(group=group).exists():
            texts = {key: value for key, value in case.items() if key != "author"}
            presentation = presentation_create(actor=author, group=group, phi_confirmed=True, **texts)
            comment_create(actor=facilitator, presentation=presentation, phi_confirmed=True,
                           body="Thank you for bringing this. Let us give it the first slot on Tuesday.")
    return f"Groups: {len(DEMO_GROUPS)} demo groups ({created} created)."


# Meetings concern: each demo group's regular schedule (local wall-clock time in its zone).
DEMO_SCHEDULES: dict[str, dict[str, Any]] = {
    "Trauma case consultation": {"title": "Weekly consultation", "rule": "FREQ=WEEKLY;BYDAY=TU",
                                 "start_time": (18, 0), "minutes": 90},
    "Reflective practice circle": {"title": "Fortnightly circle", "rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                                   "start_time": (19, 30), "minutes": 75},
}


def seed_demo_meetings() -> str:
    """A recurring schedule per demo group, answers and an agenda for the next meeting, and one
    past meeting with attendance (so the CE log has something to show). Idempotent."""
    import datetime as dt

    from django.utils import timezone

    from peerhaven.groups.models.groups import Group, Membership, MembershipStatus
    from peerhaven.groups.models.meetings import AgendaItem, Meeting, MeetingSeries
    from peerhaven.groups.services.meetings import (
        AttendanceEntry,
        SeriesPlan,
        agenda_item_add,
        agenda_volunteer,
        attendance_record,
        rsvp_set,
        series_create,
    )

    created = 0
    now = timezone.now()
    for spec in DEMO_GROUPS:
        facilitator = _user(spec["facilitator"])
        schedule = DEMO_SCHEDULES.get(spec["name"])
        group = Group.objects.filter(name=spec["name"], created_by=facilitator).first() if facilitator else None
        if facilitator is None or schedule is None or group is None:
            continue
        if not MeetingSeries.objects.filter(group=group).exists():
            hour, minute = schedule["start_time"]
            series_create(actor=facilitator, group=group, plan=SeriesPlan(
                rule=schedule["rule"], title=schedule["title"], starts_on=timezone.localdate(),
                start_time=dt.time(hour, minute), duration_minutes=schedule["minutes"],
            ))
            created += 1
        members = [m.user for m in Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE)
                   .select_related("user").order_by("user_id")]
        upcoming = Meeting.objects.filter(group=group, starts_at__gt=now).order_by("starts_at").first()
        if upcoming is not None and not AgendaItem.objects.filter(meeting=upcoming).exists():
            for index, person in enumerate(members):
                rsvp_set(actor=person, meeting=upcoming, response=("going", "maybe", "going")[index % 3])
            agenda_item_add(actor=facilitator, meeting=upcoming, title="Check-in round", minutes=10)
            volunteers = [person for person in members if person.pk != facilitator.pk][:2]
            for person in volunteers:
                agenda_volunteer(actor=person, meeting=upcoming, title="A question from my practice")
        if not Meeting.objects.filter(group=group, ends_at__lt=now).exists():
            # A meeting last week: created directly (services schedule only future meetings),
            # then attendance is taken through the service as a facilitator would.
            start = now - dt.timedelta(days=7)
            past = Meeting.objects.create(group=group, title=schedule["title"], starts_at=start,
                                          ends_at=start + dt.timedelta(minutes=schedule["minutes"]),
                                          created_by=facilitator)
            attendance_record(actor=facilitator, meeting=past, now=start + dt.timedelta(minutes=5), entries=[
                AttendanceEntry(member_id=person.pk, status=("present", "present", "late", "absent")[index % 4],
                                minutes_attended=60 if index % 4 == 2 else None)
                for index, person in enumerate(members)
            ])
    return f"Meetings: {created} schedules created."


def seed_demo_programme() -> str:
    return " ".join([seed_demo_groups(), seed_demo_meetings()])
