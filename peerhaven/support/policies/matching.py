"""Who may be matched with whom, and who may see and change the matching concern's data.

Conflict-of-interest exclusions live here, in one place, and apply symmetrically: a pair is kept
apart when they work for the same organisation (the employer's blind index, or a shared
organisational e-mail domain), when either declared a relationship with the other (supervisor,
supervisee, colleague, own therapist, client), when either blocked the other, or when either put
the other on their "never match me with" list. Search, suggestions, the supporter's page, slots
and booking all ask these functions; none of them ever says why a pair is kept apart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from peerhaven.accounts.blind_index import blind_index
from peerhaven.accounts.models import Profile, Role, User
from peerhaven.core.policies import has_role, is_verified
from peerhaven.safety.policies import blocked_user_ids
from peerhaven.support.models import (
    Booking,
    BookingStatus,
    Buddy,
    DeclaredRelationship,
    NeverMatch,
    SupporterProfile,
    SupporterStatus,
)

ModelT = TypeVar("ModelT", bound=Model)

_EXCLUSIONS_CACHE = "_peerhaven_match_exclusions"

# Mail providers anyone can sign up with: sharing one says nothing about an organisation.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "live.com",
    "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.es", "ymail.com", "aol.com",
    "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net",
    "web.de", "mail.com", "zoho.com", "yandex.com", "yandex.ru", "fastmail.com", "tutanota.com", "tuta.io",
    "hey.com", "qq.com", "163.com", "126.com", "naver.com", "mail.ru", "orange.fr", "free.fr", "laposte.net",
    "btinternet.com", "sky.com", "comcast.net", "verizon.net", "att.net", "t-online.de", "libero.it",
    "uol.com.br", "bol.com.br", "terra.com.br", "rediffmail.com", "posteo.de", "mailbox.org",
})
# Reserved for documentation and testing (RFC 2606 / 6761): never a real organisation.
_RESERVED_DOMAINS = frozenset({"example.com", "example.org", "example.net"})
_RESERVED_SUFFIXES = (".test", ".example", ".invalid", ".localhost")


def organisation_domain(email: str) -> str:
    """The e-mail's domain when it looks like an organisation's, else ""."""
    domain = (email or "").rpartition("@")[2].strip().lower().rstrip(".")
    if not domain or "." not in domain or domain in PUBLIC_MAIL_DOMAINS or domain in _RESERVED_DOMAINS:
        return ""
    if domain.endswith(_RESERVED_SUFFIXES):
        return ""
    return domain


def normalise_identifier(value: str) -> str:
    """A pseudonym or e-mail as typed, normalised so that case and spacing do not matter."""
    return unicodedata.normalize("NFKC", value or "").strip().casefold()


def identifier_index(value: str) -> str:
    return blind_index("member-identifier", normalise_identifier(value))


def _own_identifier_indexes(member: Any) -> list[str]:
    profile = getattr(member, "profile", None)
    values = [member.email, getattr(profile, "pseudonym", "") or ""]
    return [index for index in (identifier_index(value) for value in values if value) if index]


@dataclass(frozen=True)
class Exclusions:
    """Everyone a member must never be matched with, in a form SQL can use."""

    member_id: int
    user_ids: frozenset[int]  # self, declared either way, never-match either way, blocked either way
    employer_index: str
    domain: str

    def q(self, user_field: str = "user") -> Q:
        """Rows whose `user_field` is an excluded member (use with `.exclude(...)`). The
        organisation rules are subqueries (members with that employer index, members with an
        address at that domain), not joins: the database then filters thousands of supporters
        without joining every one of them to their account and profile."""
        condition = Q(**{f"{user_field}__in": self.user_ids})
        if self.employer_index:
            same_employer = Profile.objects.filter(employer_index=self.employer_index).values("user_id")
            condition |= Q(**{f"{user_field}__in": same_employer})
        if self.domain:
            same_domain = User.objects.filter(email__endswith=f"@{self.domain}").values("pk")
            condition |= Q(**{f"{user_field}__in": same_domain})
        return condition

    def excludes(self, other: Any) -> bool:
        if other is None or getattr(other, "pk", None) is None:
            return True
        if other.pk in self.user_ids:
            return True
        if self.domain and organisation_domain(other.email) == self.domain:
            return True
        if self.employer_index:
            profile = getattr(other, "profile", None)
            if profile is not None and profile.employer_index == self.employer_index:
                return True
        return False


def _resolve_labels(labels: list[str]) -> set[int]:
    """Members whose e-mail or pseudonym is one of `labels` (entries made before they joined)."""
    from peerhaven.accounts.models import User

    condition = Q()
    for label in labels:
        condition |= Q(email__iexact=label) | Q(profile__pseudonym__iexact=label)
    if not condition:
        return set()
    return set(User.objects.filter(condition).values_list("pk", flat=True))


def exclusions_for(member: Any) -> Exclusions:
    """The member's exclusions: two or three queries, cached on the member object for the request."""
    cached = getattr(member, _EXCLUSIONS_CACHE, None)
    if cached is not None:
        return cached
    own_indexes = _own_identifier_indexes(member)
    involving = Q(member_id=member.pk) | Q(other_id=member.pk)
    if own_indexes:
        involving |= Q(label_index__in=own_indexes)
    fields = ("member_id", "other_id", "label")
    rows = DeclaredRelationship.objects.filter(involving).order_by().values_list(*fields).union(
        NeverMatch.objects.filter(involving).order_by().values_list(*fields), all=True
    )
    ids: set[int] = {member.pk}
    unresolved: list[str] = []
    for member_id, other_id, label in rows:
        if member_id != member.pk:
            ids.add(member_id)  # they declared or listed this member
        elif other_id is not None:
            ids.add(other_id)
        else:
            unresolved.append(label)  # decrypted by the field
    if unresolved:
        ids |= _resolve_labels(unresolved)
    ids |= blocked_user_ids(member)
    profile = getattr(member, "profile", None)
    exclusions = Exclusions(
        member_id=member.pk,
        user_ids=frozenset(ids),
        employer_index=getattr(profile, "employer_index", "") or "",
        domain=organisation_domain(member.email),
    )
    setattr(member, _EXCLUSIONS_CACHE, exclusions)
    return exclusions


def forget_cached_exclusions(*members: Any) -> None:
    for member in members:
        if hasattr(member, _EXCLUSIONS_CACHE):
            delattr(member, _EXCLUSIONS_CACHE)


def exclude_conflicts(queryset: QuerySet[ModelT], member: Any, user_field: str = "user") -> QuerySet[ModelT]:
    """`queryset` without rows whose `user_field` is a member `member` must not be matched with."""
    return queryset.exclude(exclusions_for(member).q(user_field))


def excluded_supporter_ids(seeker: Any) -> set[int]:
    """SupporterProfile ids the seeker must never be offered (one query beyond exclusions_for)."""
    condition = exclusions_for(seeker).q("user")
    return set(SupporterProfile.objects.filter(condition).values_list("pk", flat=True))


def is_excluded_pair(member_a: Any, member_b: Any) -> bool:
    """True when the two must never be matched, whichever of them is asking."""
    if getattr(member_a, "pk", None) is None or getattr(member_b, "pk", None) is None:
        return True
    return exclusions_for(member_a).excludes(member_b) or exclusions_for(member_b).excludes(member_a)


# --- the supporter side ------------------------------------------------------------------------
def can_find_support(user: Any) -> bool:
    """Search, suggestions, preferences and exclusions: verified members."""
    return is_verified(user)


def is_offered(supporter: SupporterProfile) -> bool:
    """Approved and not paused (capacity is checked with the bookings, see selectors)."""
    return supporter.status == SupporterStatus.APPROVED and supporter.paused_at is None


def can_see_supporter(seeker: Any, supporter: SupporterProfile) -> bool:
    """A supporter's page, slots and booking: never across an exclusion. The supporter always
    sees their own page."""
    if not is_verified(seeker):
        return False
    if supporter.user_id == seeker.pk:
        return True
    return is_offered(supporter) and not is_excluded_pair(seeker, supporter.user)


def may_book_with(seeker: Any, supporter_profile: SupporterProfile) -> bool:
    """The booking concern asks this before creating or rescheduling a booking: never with
    oneself and never across a conflict of interest. Callers answer as for a missing supporter
    (404), so the reason stays hidden."""
    if supporter_profile.user_id == getattr(seeker, "pk", None):
        return False
    return not is_excluded_pair(seeker, supporter_profile.user)


# --- supporters' own tools ---------------------------------------------------------------------
def approved_supporter_profile(user: Any) -> SupporterProfile | None:
    if not is_verified(user):
        return None
    profile = SupporterProfile.objects.filter(user_id=user.pk).first()
    if profile is None or profile.status not in {SupporterStatus.APPROVED, SupporterStatus.PAUSED}:
        return None
    return profile


def can_name_buddy(supporter: SupporterProfile, candidate: SupporterProfile) -> bool:
    """A buddy is another approved supporter, not across a conflict of interest."""
    return (
        candidate.pk != supporter.pk
        and candidate.status in {SupporterStatus.APPROVED, SupporterStatus.PAUSED}
        and not is_excluded_pair(supporter.user, candidate.user)
    )


def buddy_get_for_user(user: Any, pk: int) -> Buddy:
    """A buddy link, for one of its two supporters only."""
    link = Buddy.objects.select_related("supporter__user__profile", "buddy__user__profile").filter(pk=pk).first()
    if link is None or user.pk not in {link.supporter.user_id, link.buddy.user_id}:
        raise Http404
    return link


# --- feedback ----------------------------------------------------------------------------------
def can_give_feedback(user: Any, booking: Booking) -> bool:
    """The seeker of a completed session, once."""
    return (
        is_verified(user)
        and booking.seeker_id == user.pk
        and booking.status == BookingStatus.COMPLETED
        and not hasattr(booking, "feedback")
    )


def feedback_booking_get_for_user(user: Any, pk: int) -> Booking:
    booking = Booking.objects.select_related("feedback").filter(pk=pk, seeker_id=getattr(user, "pk", None)).first()
    if booking is None:
        raise Http404
    return booking


def can_view_feedback_aggregates(user: Any) -> bool:
    return has_role(user, Role.STAFF)
