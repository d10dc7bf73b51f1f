"""Every conflict-of-interest rule keeps the pair apart everywhere — search, suggestions, the
supporter's page, booking, and the API — in both directions, and no answer ever says why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from peerhaven.accounts.models import User
from peerhaven.accounts.services import profile_update
from peerhaven.accounts.tests.factories import make_member
from peerhaven.safety.services import block_create
from peerhaven.support.models import RelationshipKind, SupporterProfile
from peerhaven.support.policies.matching import (
    excluded_supporter_ids,
    forget_cached_exclusions,
    is_excluded_pair,
    may_book_with,
    organisation_domain,
)
from peerhaven.support.services.booking import booking_create
from peerhaven.support.services.matching import never_match_add, relationship_declare
from peerhaven.support.tests.grid_matching import make_supporter

pytestmark = pytest.mark.django_db

# Words that would give a reason away. None of them may appear in what either side sees.
REASON_WORDS = ("exclu", "conflict", "blocked", "employer", "same organisation", "never-match", "declared")


def _set_email(user: User, email: str) -> None:
    User.objects.filter(pk=user.pk).update(email=email)
    user.email = email


def _same_employer(seeker: User, other: User) -> None:
    profile_update(actor=seeker, employer="Thameside NHS Trust")
    profile_update(actor=other, employer="The Thameside NHS Trust, Ltd.")


def _same_domain(seeker: User, other: User) -> None:
    _set_email(seeker, "amara@thameside.nhs.uk")
    _set_email(other, "jo@Thameside.nhs.uk".lower())


def _declared_by_seeker(kind: str) -> Callable[[User, User], None]:
    def rule(seeker: User, other: User) -> None:
        relationship_declare(actor=seeker, label=other.profile.pseudonym.upper(), kind=kind)

    return rule


def _declared_by_supporter(seeker: User, other: User) -> None:
    relationship_declare(actor=other, label=seeker.email.upper(), kind=RelationshipKind.CLIENT)


def _blocked_by_seeker(seeker: User, other: User) -> None:
    block_create(actor=seeker, member=other)


def _blocked_by_supporter(seeker: User, other: User) -> None:
    block_create(actor=other, member=seeker)


def _never_by_seeker(seeker: User, other: User) -> None:
    never_match_add(actor=seeker, label=f"  {other.email}  ")


def _never_by_supporter(seeker: User, other: User) -> None:
    never_match_add(actor=other, label=seeker.profile.pseudonym)


RULES: dict[str, Callable[[User, User], None]] = {
    "same employer": _same_employer,
    "same organisation e-mail domain": _same_domain,
    **{f"declared {kind} (by the seeker)": _declared_by_seeker(kind) for kind in RelationshipKind.values},
    "declared by the supporter": _declared_by_supporter,
    "blocked by the seeker": _blocked_by_seeker,
    "blocked by the supporter": _blocked_by_supporter,
    "never-match by the seeker": _never_by_seeker,
    "never-match by the supporter": _never_by_supporter,
}


@pytest.fixture
def pair() -> dict[str, Any]:
    seeker = make_member(verified=True)
    excluded = make_supporter(languages=["en", "es"], specialties=["burnout", "grief"])
    control = make_supporter(languages=["en", "es"], specialties=["burnout", "grief"])
    profile_update(actor=excluded.user, pseudonym="HiddenHeron")
    profile_update(actor=control.user, pseudonym="VisibleVole")
    fresh = SupporterProfile.objects.select_related("user__profile")
    return {"seeker": User.objects.select_related("profile").get(pk=seeker.pk),
            "excluded": fresh.get(pk=excluded.pk), "control": fresh.get(pk=control.pk)}


def _assert_no_reason(body: str) -> None:
    lowered = body.lower()
    for word in REASON_WORDS:
        assert word not in lowered, f"the answer hints at a reason: {word!r}"


@pytest.mark.parametrize("rule", list(RULES))
def test_it_keeps_an_excluded_pair_out_of_every_page(pair: dict[str, Any], rule: str) -> None:
    seeker, excluded, control = pair["seeker"], pair["excluded"], pair["control"]
    RULES[rule](seeker, excluded.user)
    seeker = User.objects.select_related("profile").get(pk=seeker.pk)
    excluded = SupporterProfile.objects.select_related("user__profile").get(pk=excluded.pk)
    client = sign_in(Client(), seeker)

    for url in (reverse("support:search"), reverse("support:search") + "?language=es&specialty=grief",
                reverse("support:suggestions")):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "VisibleVole" in body
        assert "HiddenHeron" not in body
        assert reverse("support:supporter_detail", kwargs={"pk": excluded.pk}) not in body
        _assert_no_reason(body)

    detail = client.get(reverse("support:supporter_detail", kwargs={"pk": excluded.pk}))
    assert detail.status_code == 404
    _assert_no_reason(detail.content.decode())
    assert client.get(reverse("support:supporter_detail", kwargs={"pk": control.pk})).status_code == 200

    assert is_excluded_pair(seeker, excluded.user) and is_excluded_pair(excluded.user, seeker)
    assert not may_book_with(seeker, excluded)
    assert may_book_with(seeker, control)
    assert excluded.pk in excluded_supporter_ids(seeker) and control.pk not in excluded_supporter_ids(seeker)


@pytest.mark.parametrize("rule", list(RULES))
def test_it_refuses_booking_across_an_exclusion(pair: dict[str, Any], rule: str) -> None:
    seeker, excluded = pair["seeker"], pair["excluded"]
    RULES[rule](seeker, excluded.user)
    seeker = User.objects.select_related("profile").get(pk=seeker.pk)
    starts_at = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with pytest.raises(PermissionDenied):
        booking_create(actor=seeker, supporter=excluded, starts_at=starts_at, length_minutes=50)
    response = sign_in(Client(), seeker).post(
        reverse("support:book", kwargs={"pk": excluded.pk}),
        {"starts_at": starts_at.isoformat(), "length_minutes": 50},
    )
    assert response.status_code == 404
    _assert_no_reason(response.content.decode())


@pytest.mark.parametrize("rule", list(RULES))
def test_it_keeps_an_excluded_pair_out_of_the_api(pair: dict[str, Any], rule: str) -> None:
    seeker, excluded, control = pair["seeker"], pair["excluded"], pair["control"]
    RULES[rule](seeker, excluded.user)
    client = sign_in(Client(), User.objects.get(pk=seeker.pk))
    for url in ("/api/v1/support/supporters", "/api/v1/support/supporters?language=es",
                "/api/v1/support/supporters?available_soon=true", "/api/v1/support/suggestions"):
        response = client.get(url)
        assert response.status_code == 200, url
        payload = response.json()
        items = payload["items"] if isinstance(payload, dict) else payload
        ids = {item["id"] for item in items}
        assert control.pk in ids and excluded.pk not in ids, url
        _assert_no_reason(response.content.decode())
    # The booking concern's API asks the same policy: slots and booking answer as for nobody.
    slots = client.get(f"/api/v1/support/supporters/{excluded.pk}/slots")
    assert slots.status_code == 404
    assert client.get(f"/api/v1/support/supporters/{control.pk}/slots").status_code == 200
    starts_at = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    booking = client.post("/api/v1/support/bookings", {
        "supporter_id": excluded.pk, "starts_at": starts_at.isoformat(), "length_minutes": 50,
    }, content_type="application/json")
    assert booking.status_code == 404
    for response in (slots, booking):
        _assert_no_reason(response.content.decode())


def test_it_applies_both_ways_when_both_are_supporters() -> None:
    first = make_supporter()
    second = make_supporter()
    never_match_add(actor=first.user, label=second.user.email)
    forget_cached_exclusions(first.user, second.user)
    for viewer, other in ((first.user, second), (second.user, first)):
        viewer = User.objects.get(pk=viewer.pk)
        client = sign_in(Client(), viewer)
        assert client.get(reverse("support:supporter_detail", kwargs={"pk": other.pk})).status_code == 404
        ids = {item["id"] for item in client.get("/api/v1/support/supporters").json()["items"]}
        assert other.pk not in ids


def test_it_matches_an_entry_made_before_the_other_person_joined() -> None:
    seeker = make_member(verified=True)
    relationship_declare(actor=seeker, label="Later.Colleague@Clinic.example", kind=RelationshipKind.COLLEAGUE)
    later = make_supporter(make_member(verified=True, email="later.colleague@clinic.example"))
    seeker = User.objects.get(pk=seeker.pk)
    assert is_excluded_pair(seeker, later.user)
    assert later.pk in excluded_supporter_ids(seeker)
    # And the other way round: a supporter's entry names an e-mail the seeker signs up with later.
    supporter = make_supporter()
    never_match_add(actor=supporter.user, label="newcomer@elsewhere.example")
    newcomer = make_member(verified=True, email="newcomer@elsewhere.example")
    assert supporter.pk in excluded_supporter_ids(newcomer)


def test_it_answers_alike_whether_or_not_an_account_exists(pair: dict[str, Any]) -> None:
    client = sign_in(Client(), pair["seeker"])
    existing = client.post(reverse("support:relationship_add"), {"label": pair["excluded"].user.email, "kind": "colleague"}, follow=True)
    missing = client.post(reverse("support:relationship_add"), {"label": "nobody-here@nowhere.example", "kind": "colleague"}, follow=True)
    assert existing.status_code == missing.status_code == 200
    saved = "If this person is a member"
    assert saved in existing.content.decode() and saved in missing.content.decode()
    api_existing = client.post("/api/v1/support/exclusions/never", {"label": "HiddenHeron"}, content_type="application/json")
    api_missing = client.post("/api/v1/support/exclusions/never", {"label": "NoSuchPeer"}, content_type="application/json")
    assert api_existing.status_code == api_missing.status_code == 201
    assert set(api_existing.json()) == set(api_missing.json()) == {"id", "label", "created_at"}


def test_it_never_tells_the_other_side(pair: dict[str, Any]) -> None:
    from peerhaven.notifications.models import Notification

    seeker, excluded = pair["seeker"], pair["excluded"]
    relationship_declare(actor=seeker, label=excluded.user.email, kind=RelationshipKind.OWN_THERAPIST)
    never_match_add(actor=seeker, label="HiddenHeron")
    assert not Notification.objects.filter(user=excluded.user).exists()
    # The supporter's own pages list nothing about it.
    client = sign_in(Client(), excluded.user)
    for name in ("support:exclusions", "support:suggestions", "support:search"):
        body = client.get(reverse(name)).content.decode()
        assert seeker.profile.pseudonym not in body and seeker.email not in body


def test_it_reads_organisation_domains_but_not_public_providers() -> None:
    assert organisation_domain("a@Thameside.NHS.uk") == "thameside.nhs.uk"
    assert organisation_domain("a@gmail.com") == ""
    assert organisation_domain("a@proton.me") == ""
    assert organisation_domain("a@example.org") == ""
    assert organisation_domain("a@demo.peerhaven.test") == ""
    one = make_member(verified=True, email="one@gmail.com")
    two = make_supporter(make_member(verified=True, email="two@gmail.com"))
    assert not is_excluded_pair(one, two.user)


def test_it_lets_a_member_remove_an_entry(pair: dict[str, Any]) -> None:
    seeker, excluded = pair["seeker"], pair["excluded"]
    entry = never_match_add(actor=seeker, label="HiddenHeron")
    client = sign_in(Client(), seeker)
    assert "HiddenHeron" not in client.get(reverse("support:search")).content.decode()
    assert client.post(reverse("support:never_match_remove", kwargs={"pk": entry.pk})).status_code == 302
    assert "HiddenHeron" in client.get(reverse("support:search")).content.decode()
    assert may_book_with(User.objects.get(pk=seeker.pk), excluded)


def test_it_shows_a_member_only_their_own_entries(pair: dict[str, Any]) -> None:
    seeker = pair["seeker"]
    never_match_add(actor=seeker, label="SecretNameOne")
    other = make_member(verified=True)
    body = sign_in(Client(), other).get(reverse("support:exclusions")).content.decode()
    assert "SecretNameOne" not in body
    assert "SecretNameOne" in sign_in(Client(), seeker).get(reverse("support:exclusions")).content.decode()
    assert sign_in(Client(), other).get("/api/v1/support/exclusions").json() == {"relationships": [], "never_match": []}


def test_it_refuses_bad_entries_kindly(pair: dict[str, Any]) -> None:
    client = sign_in(Client(), pair["seeker"])
    assert client.post(reverse("support:relationship_add"), {"label": "", "kind": "colleague"}).status_code == 400
    assert client.post(reverse("support:relationship_add"), {"label": "x", "kind": "enemy"}).status_code == 400
    assert client.post(reverse("support:never_match_add"), {"label": "x" * 300}).status_code == 400
    response = client.post("/api/v1/support/exclusions/relationships", {"label": "x", "kind": "enemy"}, content_type="application/json")
    assert response.status_code == 400
