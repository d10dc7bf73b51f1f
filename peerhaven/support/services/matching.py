"""Writes owned by matching: conflict-of-interest declarations and the never-match list, the
member's private preferences, buddies and debrief requests, the seeker's feedback after a
session, and the import of busy times from a supporter's own calendar feed."""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from dateutil.rrule import rruleset, rrulestr  # type: ignore[import-untyped, unused-ignore]
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User
from peerhaven.core.audit import audit_log
from peerhaven.support.models import (
    FEEDBACK_COMMENT_MAX_LENGTH,
    Booking,
    Buddy,
    CalendarImport,
    CalendarImportStatus,
    DeclaredRelationship,
    ExternalBusy,
    MatchingPreference,
    NeverMatch,
    RelationshipKind,
    SessionFeedback,
    Specialty,
    SupporterProfile,
)
from peerhaven.support.policies.matching import (
    can_give_feedback,
    can_name_buddy,
    forget_cached_exclusions,
    identifier_index,
    normalise_identifier,
)

LABEL_MAX_LENGTH = 254
# Entries per member per list: enough for any real life, bounded for the exclusion query.
MAX_ENTRIES = 200
DEBRIEF_REQUEST_INTERVAL = dt.timedelta(hours=1)


# --- declared relationships and the never-match list --------------------------------------------
def _clean_label(label: str) -> str:
    # A NUL character can be neither a pseudonym nor an address (and PostgreSQL refuses it).
    cleaned = (label or "").replace("\x00", "").strip()
    if not cleaned:
        raise ValidationError(_("Enter a pseudonym or an e-mail address."))
    if len(cleaned) > LABEL_MAX_LENGTH:
        raise ValidationError(_("Keep this under %(limit)d characters.") % {"limit": LABEL_MAX_LENGTH})
    return cleaned


def _resolve_member(label: str) -> User | None:
    """The member a pseudonym or e-mail names, if any. The answer is stored, never shown."""
    normalised = normalise_identifier(label)
    if "@" in normalised:
        return User.objects.filter(email__iexact=normalised).first()
    return User.objects.filter(profile__pseudonym__iexact=normalised).first()


def _check_room(model: type[DeclaredRelationship] | type[NeverMatch], actor: User) -> None:
    if model.objects.filter(member=actor).count() >= MAX_ENTRIES:
        raise ValidationError(_("Your list is full. Remove an entry before adding another."))


def relationship_declare(
    *, actor: User, label: str, kind: str, request: HttpRequest | None = None
) -> DeclaredRelationship:
    """Record that `actor` has a relationship of `kind` with the member named by `label`. The
    same answer whether or not such a member exists; the other side is never told."""
    label = _clean_label(label)
    if kind not in RelationshipKind.values:
        raise ValidationError(_("Choose a relationship from the list."))
    index = identifier_index(label)
    with transaction.atomic():
        existing = DeclaredRelationship.objects.filter(member=actor, label_index=index, kind=kind).first()
        if existing is not None:
            return existing
        _check_room(DeclaredRelationship, actor)
        declared = DeclaredRelationship(member=actor, other=_resolve_member(label), label=label, label_index=index, kind=kind)
        declared.full_clean()
        declared.save()
        audit_log("support.relationship.declare", actor=actor, target=declared, request=request, kind=kind)
    forget_cached_exclusions(actor)
    return declared


def relationship_remove(*, actor: User, pk: int, request: HttpRequest | None = None) -> bool:
    with transaction.atomic():
        declared = DeclaredRelationship.objects.filter(member=actor, pk=pk).first()
        if declared is None:
            return False
        audit_log("support.relationship.remove", actor=actor, target=declared, request=request, kind=declared.kind)
        declared.delete()
    forget_cached_exclusions(actor)
    return True


def never_match_add(*, actor: User, label: str, request: HttpRequest | None = None) -> NeverMatch:
    label = _clean_label(label)
    index = identifier_index(label)
    with transaction.atomic():
        existing = NeverMatch.objects.filter(member=actor, label_index=index).first()
        if existing is not None:
            return existing
        _check_room(NeverMatch, actor)
        entry = NeverMatch(member=actor, other=_resolve_member(label), label=label, label_index=index)
        entry.full_clean()
        entry.save()
        audit_log("support.never_match.add", actor=actor, target=entry, request=request)
    forget_cached_exclusions(actor)
    return entry


def never_match_remove(*, actor: User, pk: int, request: HttpRequest | None = None) -> bool:
    with transaction.atomic():
        entry = NeverMatch.objects.filter(member=actor, pk=pk).first()
        if entry is None:
            return False
        audit_log("support.never_match.remove", actor=actor, target=entry, request=request)
        entry.delete()
    forget_cached_exclusions(actor)
    return True


# --- preferences ------------------------------------------------------------------------------
def preference_update(
    *, actor: User, needs: list[str], languages: list[str], session_length: int | None,
    request: HttpRequest | None = None,
) -> MatchingPreference:
    if any(need not in Specialty.values for need in needs):
        raise ValidationError(_("Choose topics from the list."))
    if any(not isinstance(code, str) or not 1 <= len(code) <= 20 for code in languages):
        raise ValidationError(_("Choose languages from the list."))
    with transaction.atomic():
        preference, _created = MatchingPreference.objects.select_for_update().get_or_create(member=actor)
        preference.needs = sorted(set(needs))
        preference.languages = sorted(set(languages))
        preference.session_length = session_length
        preference.updated_at = timezone.now()
        preference.full_clean()
        preference.save(update_fields=["needs", "languages", "session_length", "updated_at"])
        # Which fields exist is recorded, never the member's answers.
        audit_log("support.preference.update", actor=actor, target=preference, request=request)
    return preference


def preference_clear(*, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        deleted, _rows = MatchingPreference.objects.filter(member=actor).delete()
        if deleted:
            audit_log("support.preference.clear", actor=actor, request=request)


# --- buddies ----------------------------------------------------------------------------------
def buddy_set(
    *, actor: User, supporter: SupporterProfile, buddy: SupporterProfile, request: HttpRequest | None = None
) -> Buddy:
    if supporter.user_id != actor.pk:
        raise PermissionDenied(_("You can only name a buddy for yourself."))
    if not can_name_buddy(supporter, buddy):
        raise ValidationError(_("Choose a buddy from the list."))
    with transaction.atomic():
        link = Buddy.objects.select_for_update().filter(supporter=supporter).first()
        if link is None:
            link = Buddy(supporter=supporter, buddy=buddy)
            link.full_clean()
            link.save()
        else:
            link.buddy = buddy
            link.created_at = timezone.now()
            link.save(update_fields=["buddy", "created_at"])
        audit_log("support.buddy.set", actor=actor, target=link, request=request)
    return link


def buddy_remove(*, actor: User, supporter: SupporterProfile, request: HttpRequest | None = None) -> bool:
    if supporter.user_id != actor.pk:
        raise PermissionDenied(_("You can only change your own buddy."))
    with transaction.atomic():
        link = Buddy.objects.filter(supporter=supporter).first()
        if link is None:
            return False
        audit_log("support.buddy.remove", actor=actor, target=link, request=request)
        link.delete()
    return True


class DebriefTooSoon(Exception):
    pass


def debrief_request(*, actor: User, supporter: SupporterProfile, request: HttpRequest | None = None) -> Buddy:
    """Tell the named buddy that `actor` would like a debrief: a notification without content,
    at most one an hour."""
    from peerhaven.notifications.services import notify

    if supporter.user_id != actor.pk:
        raise PermissionDenied(_("You can only ask your own buddy."))
    now = timezone.now()
    with transaction.atomic():
        link = Buddy.objects.select_for_update().select_related("buddy__user").filter(supporter=supporter).first()
        if link is None:
            raise ValidationError(_("Name a buddy first."))
        if link.last_debrief_request_at is not None and now - link.last_debrief_request_at < DEBRIEF_REQUEST_INTERVAL:
            raise DebriefTooSoon(_("Your buddy has been asked already. Give them a little time to reply."))
        link.last_debrief_request_at = now
        link.save(update_fields=["last_debrief_request_at"])
        audit_log("support.buddy.debrief_request", actor=actor, target=link, request=request)
        buddy_user = link.buddy.user
        transaction.on_commit(
            lambda: notify(user=buddy_user, kind="support.debrief_requested", link=reverse("support:buddy"))
        )
    return link


# --- feedback ---------------------------------------------------------------------------------
def feedback_give(
    *, actor: User, booking: Booking, helpful: bool, comment: str = "", request: HttpRequest | None = None
) -> SessionFeedback:
    """The seeker's private feedback on a completed session, once."""
    comment = (comment or "").strip()
    if len(comment) > FEEDBACK_COMMENT_MAX_LENGTH:
        raise ValidationError(_("Keep the comment under %(limit)d characters.") % {"limit": FEEDBACK_COMMENT_MAX_LENGTH})
    if not can_give_feedback(actor, booking):
        raise PermissionDenied(_("Feedback can be given once, after a completed session."))
    when = booking.starts_at
    feedback = SessionFeedback(
        booking=booking, helpful=bool(helpful), comment=comment, month=dt.date(when.year, when.month, 1)
    )
    try:
        with transaction.atomic():
            feedback.full_clean(exclude=["booking"])
            feedback.save()
            # The audit entry names the feedback row only: not the booking, so not who saw whom.
            audit_log("support.feedback.give", actor=actor, target=feedback, request=request)
    except IntegrityError as exc:
        raise PermissionDenied(_("Feedback can be given once, after a completed session.")) from exc
    return feedback


# --- busy times from the supporter's own calendar ------------------------------------------------
FEED_TIMEOUT_SECONDS = 10
FEED_MAX_BYTES = 2 * 1024 * 1024
FEED_MAX_REDIRECTS = 3
MAX_BUSY_INTERVALS = 2000
MAX_OCCURRENCES_PER_EVENT = 1000


class FeedError(Exception):
    """The feed could not be imported; `status` is the CalendarImportStatus shown to the supporter."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return bool(getattr(settings, "SUPPORT_ICS_ALLOW_LOOPBACK", False))
    return ip.is_global and not (ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved)


def _vetted_address(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) after checking the scheme and every address
    the host resolves to; raises FeedError(REFUSED) for anything private, loopback or link-local."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        scheme = "https"
    if scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        raise FeedError(CalendarImportStatus.REFUSED)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FeedError(CalendarImportStatus.REFUSED) from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FeedError(CalendarImportStatus.UNREACHABLE) from exc
    addresses = [str(info[4][0]) for info in infos]
    # Every address must pass: a host that resolves to one public and one private address is refused.
    if not addresses or not all(_address_allowed(address) for address in addresses):
        raise FeedError(CalendarImportStatus.REFUSED)
    return scheme, parts.hostname, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the vetted address, not to whatever the name resolves to a moment later."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_feed(url: str) -> bytes:
    """GET a calendar feed with strict limits: http(s) only, public addresses only (checked again
    on every redirect), a timeout, a size cap."""
    for _hop in range(FEED_MAX_REDIRECTS + 1):
        scheme, host, port, address = _vetted_address(url)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address, FEED_TIMEOUT_SECONDS)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"Accept": "text/calendar", "User-Agent": "Peerhaven calendar import"})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308}:
                location = response.getheader("Location") or ""
                if not location:
                    raise FeedError(CalendarImportStatus.UNREACHABLE)
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FeedError(CalendarImportStatus.UNREACHABLE)
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > FEED_MAX_BYTES:
                raise FeedError(CalendarImportStatus.TOO_LARGE)
            body = response.read(FEED_MAX_BYTES + 1)
            if len(body) > FEED_MAX_BYTES:
                raise FeedError(CalendarImportStatus.TOO_LARGE)
            return body
        except (OSError, http.client.HTTPException) as exc:
            raise FeedError(CalendarImportStatus.UNREACHABLE) from exc
        finally:
            connection.close()
    raise FeedError(CalendarImportStatus.UNREACHABLE)


@dataclass(frozen=True)
class BusyInterval:
    starts_at: dt.datetime
    ends_at: dt.datetime


def _as_utc(value: dt.date | dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A DTSTART/DTEND value as an aware UTC datetime: dates start at midnight and floating
    times are read in `zone` (the calendar's or the supporter's)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC)


def _wall(value: dt.date | dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`value` as naive wall-clock time in `zone` (for expanding recurrences, so that
    "Tuesdays 18:00" stays 18:00 across DST)."""
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def _values(component: Any, name: str) -> list[Any]:
    raw = component.get(name)
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    found: list[Any] = []
    for item in items:
        found.extend(entry.dt for entry in getattr(item, "dts", []))
    return found


def _occurrence_starts(event: Any, start: Any, zone: dt.tzinfo, window: tuple[dt.datetime, dt.datetime],
                       duration: dt.timedelta, overridden: set[dt.datetime]) -> list[dt.datetime]:
    """Start times (UTC) of the event's occurrences that can overlap `window`."""
    rule = event.get("RRULE")
    if rule is None:
        return [_as_utc(start, zone)]
    event_zone = start.tzinfo if isinstance(start, dt.datetime) and start.tzinfo is not None else zone
    rules = rule if isinstance(rule, list) else [rule]
    dtstart = _wall(start, event_zone)
    recurrence = rruleset()
    for one in rules:
        spec = dict(one)
        until = spec.pop("UNTIL", None)
        text = one.__class__(spec).to_ical().decode()
        if until:
            limit = until[0]
            wall_until = _wall(limit, event_zone)
            if not isinstance(limit, dt.datetime):
                wall_until += dt.timedelta(days=1) - dt.timedelta(seconds=1)
            text += ";UNTIL=" + wall_until.strftime("%Y%m%dT%H%M%S")
        recurrence.rrule(rrulestr(text, dtstart=dtstart))
    for extra in _values(event, "RDATE"):
        recurrence.rdate(_wall(extra, event_zone))
    for excluded in _values(event, "EXDATE"):
        recurrence.exdate(_wall(excluded, event_zone))
    low = window[0].astimezone(event_zone).replace(tzinfo=None) - duration - dt.timedelta(days=1)
    high = window[1].astimezone(event_zone).replace(tzinfo=None) + dt.timedelta(days=1)
    starts = []
    for occurrence in recurrence.xafter(low, count=MAX_OCCURRENCES_PER_EVENT, inc=True):
        if occurrence > high:
            break
        at = occurrence.replace(tzinfo=event_zone).astimezone(dt.UTC)
        if at not in overridden:
            starts.append(at)
    return starts


def parse_busy(data: bytes, *, zone: dt.tzinfo, window: tuple[dt.datetime, dt.datetime]) -> list[BusyInterval]:
    """Busy intervals within `window` from an iCalendar feed: recurring events expanded, all-day
    events included, free (TRANSPARENT) and cancelled events left out. Only the times are
    returned: titles, descriptions, attendees are never read into anything kept."""
    import icalendar

    calendar: Any
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise FeedError(CalendarImportStatus.INVALID) from exc
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise FeedError(CalendarImportStatus.INVALID)
    declared_zone = str(calendar.get("X-WR-TIMEZONE", "") or "")
    if declared_zone:
        try:
            zone = zoneinfo.ZoneInfo(declared_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    events: list[Any] = list(calendar.walk("VEVENT"))
    # Moved or cancelled single occurrences (RECURRENCE-ID) replace their series' occurrence.
    overridden: dict[str, set[dt.datetime]] = {}
    for event in events:
        if event.get("RECURRENCE-ID") is not None:
            overridden.setdefault(str(event.get("UID", "")), set()).add(_as_utc(event["RECURRENCE-ID"].dt, zone))
    intervals: list[BusyInterval] = []
    try:
        for event in events:
            if str(event.get("TRANSP", "")).upper() == "TRANSPARENT" or str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            if event.get("DTSTART") is None:
                continue
            start = event["DTSTART"].dt
            if event.get("DTEND") is not None:
                duration = _as_utc(event["DTEND"].dt, zone) - _as_utc(start, zone)
            elif event.get("DURATION") is not None:
                duration = event["DURATION"].dt
            else:
                duration = dt.timedelta(days=1) if not isinstance(start, dt.datetime) else dt.timedelta(0)
            if duration <= dt.timedelta(0):
                continue
            skip = set() if event.get("RECURRENCE-ID") is not None else overridden.get(str(event.get("UID", "")), set())
            for begins in _occurrence_starts(event, start, zone, window, duration, skip):
                ends = begins + duration
                if ends > window[0] and begins < window[1]:
                    intervals.append(BusyInterval(max(begins, window[0]), min(ends, window[1])))
                if len(intervals) > MAX_BUSY_INTERVALS * 4:
                    raise FeedError(CalendarImportStatus.TOO_LARGE)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        raise FeedError(CalendarImportStatus.INVALID) from exc
    return _merged(intervals)[:MAX_BUSY_INTERVALS]


def _merged(intervals: list[BusyInterval]) -> list[BusyInterval]:
    """Overlapping and touching intervals joined: fewer rows, and no trace of single events."""
    merged: list[BusyInterval] = []
    for interval in sorted(intervals, key=lambda item: item.starts_at):
        if merged and interval.starts_at <= merged[-1].ends_at:
            last = merged[-1]
            merged[-1] = BusyInterval(last.starts_at, max(last.ends_at, interval.ends_at))
        else:
            merged.append(interval)
    return merged


def _import_window(supporter: SupporterProfile, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return now - dt.timedelta(hours=1), now + dt.timedelta(days=min(supporter.horizon_days or 60, 180) + 1)


def calendar_import_refresh(*, supporter_id: int, now: dt.datetime | None = None) -> str:
    """Fetch the supporter's feed and replace their imported busy times in one transaction. On
    any failure the previous busy times stay (safer than offering times that may be taken) and
    the status tells the supporter what went wrong. Returns the status."""
    now = now or timezone.now()
    supporter = SupporterProfile.objects.filter(pk=supporter_id).first()
    if supporter is None:
        return CalendarImportStatus.NEVER
    url = (supporter.ics_feed_url or "").strip()
    busy: list[BusyInterval] | None = None
    status: str
    if not url:
        status = CalendarImportStatus.NEVER
        busy = []
    else:
        try:
            window = _import_window(supporter, now)
            busy = parse_busy(fetch_feed(url), zone=supporter.zone, window=window)
            status = CalendarImportStatus.OK
        except FeedError as failure:
            status = failure.status
    with transaction.atomic():
        record, _created = CalendarImport.objects.select_for_update().get_or_create(supporter=supporter)
        if busy is not None:
            ExternalBusy.objects.filter(supporter=supporter, source="ics").delete()
            ExternalBusy.objects.bulk_create([
                ExternalBusy(supporter=supporter, starts_at=item.starts_at, ends_at=item.ends_at, source="ics", imported_at=now)
                for item in busy
            ])
            record.busy_count = len(busy)
        record.status = status
        record.last_attempt_at = now
        if status == CalendarImportStatus.OK:
            record.last_success_at = now
        record.save(update_fields=["status", "busy_count", "last_attempt_at", "last_success_at"])
        audit_log("support.calendar_import.refresh", target=record, status=str(status))
    return status


def calendar_import_refresh_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's hourly run over every supporter with a feed URL (the URL is encrypted, so
    the filter is on "not empty" only)."""
    counts: dict[str, int] = {}
    supporter_ids = SupporterProfile.objects.exclude(Q(ics_feed_url__isnull=True)).values_list("pk", "ics_feed_url")
    for supporter_id, url in supporter_ids:
        if not url:
            continue
        status = calendar_import_refresh(supporter_id=supporter_id, now=now)
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- privacy ----------------------------------------------------------------------------------
PRIVACY_SECTION = "support_matching"


def export_member(user: Any) -> dict[str, Any]:
    preference = MatchingPreference.objects.filter(member=user).first()
    buddy = Buddy.objects.filter(supporter__user=user).select_related("buddy__user__profile").first()
    return {
        "declared_relationships": [
            {"label": entry.label, "kind": entry.kind, "created_at": entry.created_at}
            for entry in DeclaredRelationship.objects.filter(member=user)
        ],
        "never_match": [{"label": entry.label, "created_at": entry.created_at} for entry in NeverMatch.objects.filter(member=user)],
        "matching_preference": (
            {"needs": preference.needs, "languages": preference.languages, "session_length": preference.session_length}
            if preference else None
        ),
        "buddy": buddy.buddy.user.public_name if buddy else None,
        "session_feedback": [
            {"month": feedback.month, "helpful": feedback.helpful, "comment": feedback.comment}
            for feedback in SessionFeedback.objects.filter(booking__seeker=user).order_by("month", "pk")
        ],
    }


def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    DeclaredRelationship.objects.filter(member=user).delete()
    NeverMatch.objects.filter(member=user).delete()
    MatchingPreference.objects.filter(member=user).delete()
    # Feedback stays only as an anonymous count: the comment goes.
    SessionFeedback.objects.filter(booking__seeker=user).update(comment="")
