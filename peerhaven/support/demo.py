"""support's demo data for `manage.py seed_demo`: each concern seeds its own part (booking:
supporters, availability, some sessions; matching: a few declared relationships, never-match
entries and buddies). Idempotent. The pair edits this file by small additions only."""

from __future__ import annotations

from peerhaven.accounts.models import User
from peerhaven.support.models import Buddy, SupporterProfile, SupporterStatus


def _demo_member(pseudonym: str) -> User | None:
    from peerhaven.core.demo import DEMO_DOMAIN

    return User.objects.filter(profile__pseudonym__iexact=pseudonym, email__endswith=f"@{DEMO_DOMAIN}").first()


# --- booking ----------------------------------------------------------------------------------
DEMO_AGREEMENT = (
    "Peer support is a conversation between colleagues: it is not therapy, supervision or crisis care.\n\n"
    "What you hear stays with you. You never take a supported peer on as a therapy client, supervisee or "
    "business contact afterwards, and you step back if you discover a dual relationship.\n\n"
    "You keep to your own limits: pause whenever you need to, and use your buddy for your own debriefs."
)
# (pseudonym, languages, specialties, lengths, weekly windows (weekday, from, until) in their zone)
DEMO_SUPPORTERS = [
    ("QuietHarbor", ["en"], ["vicarious_trauma", "burnout"], [50], [(0, "18:00", "21:00"), (2, "18:00", "21:00"), (5, "10:00", "13:00")]),
    ("NorthernLantern", ["sv", "en"], ["grief", "work_life"], [30, 50], [(1, "17:00", "20:00"), (3, "17:00", "20:00")]),
    ("MapleRoots", ["en", "ta"], ["boundaries", "moral_injury"], [50, 60], [(0, "19:00", "21:00"), (4, "12:00", "14:00")]),
    ("Alameda", ["es", "en", "ca"], ["burnout", "parenthood"], [50], [(1, "19:00", "21:30"), (3, "19:00", "21:30")]),
    ("Ipê", ["pt", "es", "en"], ["burnout", "work_life"], [30, 50], [(0, "20:00", "22:00"), (2, "20:00", "22:00"), (4, "08:00", "10:00")]),
    ("Acacia", ["en", "sw"], ["grief", "client_loss"], [50], [(1, "18:00", "20:00"), (5, "09:00", "12:00")]),
]
# (seeker, supporter): booked sessions among the demo accounts.
DEMO_SESSIONS = [("DesertSage", "QuietHarbor"), ("Colibri", "Alameda"), ("PaperCrane", "NorthernLantern"),
                 ("Jacaranda", "Acacia"), ("Monsoon", "Ipê")]


def seed_demo_booking() -> str:
    import datetime as dt

    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    from peerhaven.accounts.models import Role
    from peerhaven.support.models import AvailabilityWindow, Booking
    from peerhaven.support.selectors.booking import current_agreement, open_slots
    from peerhaven.support.services import booking as services

    staff = User.objects.filter(role_grants__role=Role.STAFF, email__endswith="@demo.peerhaven.test").first()
    if staff is None:
        return "no demo staff: skipped"
    agreement = current_agreement() or services.agreement_publish(actor=staff, body=DEMO_AGREEMENT)
    created = sessions = 0
    for pseudonym, languages, specialties, lengths, windows in DEMO_SUPPORTERS:
        member = _demo_member(pseudonym)
        if member is None or SupporterProfile.objects.filter(user=member).exists():
            continue
        profile = services.supporter_apply(
            actor=member, agreement_version=agreement.version, approach=member.profile.bio[:200],
            bio=member.profile.bio, specialties=specialties, languages=languages, jurisdictions=[member.profile.country],
            session_lengths=lengths, time_zone=member.profile.time_zone, max_per_week=3, max_per_month=8,
            min_notice_minutes=12 * 60, buffer_minutes=15, horizon_days=60,
        )
        services.supporter_set_training(actor=staff, supporter=profile, completed=True)
        services.supporter_approve(actor=staff, supporter=profile)
        for weekday, start, end in windows:
            AvailabilityWindow.objects.create(supporter=profile, weekday=weekday, start_time=dt.time.fromisoformat(start),
                                              end_time=dt.time.fromisoformat(end))
        created += 1
    soon = timezone.now() + dt.timedelta(days=2)
    for seeker_name, supporter_name in DEMO_SESSIONS:
        seeker, supporter_user = _demo_member(seeker_name), _demo_member(supporter_name)
        offering = SupporterProfile.objects.filter(user=supporter_user).first() if supporter_user else None
        if seeker is None or offering is None or Booking.objects.filter(seeker=seeker, supporter=offering).exists():
            continue
        slots = [slot for slot in open_slots(offering, viewer=seeker) if slot.starts_at >= soon]
        if not slots:
            continue
        try:
            services.booking_create(actor=seeker, supporter=offering, starts_at=slots[0].starts_at,
                                    length_minutes=slots[0].length_minutes,
                                    idempotency_key=f"demo-{seeker.pk}-{offering.pk}")
        except (PermissionDenied, ValidationError, services.SlotUnavailable, services.BookingRefused):
            continue  # a conflict of interest or a full week: the demo simply skips the pair
        sessions += 1
    return f"{created} new supporters, {sessions} new sessions"


# --- matching ---------------------------------------------------------------------------------
# (member, other, relationship kind): the two are never matched; the other is never told.
DEMO_DECLARED = [
    ("QuietHarbor", "RiverStone", "colleague"),
    ("MapleRoots", "CedarBench", "supervisor"),
    ("Colibri", "Alameda", "own_therapist"),
]
DEMO_NEVER_MATCH = [("DesertSage", "SlowTrain"), ("PaperCrane", "Merlion")]


def seed_demo_matching() -> str:
    from peerhaven.support.policies.matching import can_name_buddy
    from peerhaven.support.services.matching import buddy_set, never_match_add, relationship_declare

    declared = never = buddies = 0
    for member_name, other_name, kind in DEMO_DECLARED:
        member, other = _demo_member(member_name), _demo_member(other_name)
        if member is not None and other is not None:
            relationship_declare(actor=member, label=other.profile.pseudonym, kind=kind)
            declared += 1
    for member_name, other_name in DEMO_NEVER_MATCH:
        member, other = _demo_member(member_name), _demo_member(other_name)
        if member is not None and other is not None:
            never_match_add(actor=member, label=other.email)
            never += 1
    # Buddies: approved demo supporters, in pairs, each naming the next one (when not excluded).
    supporters = list(
        SupporterProfile.objects.filter(status=SupporterStatus.APPROVED, user__email__endswith="@demo.peerhaven.test")
        .select_related("user__profile")
        .order_by("pk")
    )
    for supporter, candidate in zip(supporters[0::2], supporters[1::2], strict=False):
        # A pair across a conflict of interest is skipped.
        if Buddy.objects.filter(supporter=supporter).exists() or not can_name_buddy(supporter, candidate):
            continue
        buddy_set(actor=supporter.user, supporter=supporter, buddy=candidate)
        buddies += 1
    return f"{declared} declared relationships, {never} never-match entries, {buddies} new buddies"


def seed_demo_programme() -> str:
    reports = [
        f"booking: {seed_demo_booking()}",
        f"matching: {seed_demo_matching()}",
    ]
    return "T4T demo — " + "; ".join(reports)
