"""support models: supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedCharField, EncryptedTextField

__all__ = [
    "ACTIVE_BOOKING_STATUSES",
    "NOTE_MAX_LENGTH",
    "AvailabilityWindow",
    "Blackout",
    "Booking",
    "BookingStatus",
    "CalendarFeedToken",
    "DateOverride",
    "ExternalBusy",
    "Hold",
    "Specialty",
    "SupporterAgreement",
    "SupporterProfile",
    "SupporterStatus",
    "Weekday",
]

NOTE_MAX_LENGTH = 1000
ALLOWED_SESSION_LENGTHS = (20, 30, 45, 50, 60, 75, 90)


class SupporterStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    PAUSED = "paused", _("Paused")
    RETIRED = "retired", _("Retired")


class Specialty(models.TextChoices):
    BURNOUT = "burnout", _("Burnout and exhaustion")
    VICARIOUS_TRAUMA = "vicarious_trauma", _("Vicarious and secondary trauma")
    CLIENT_LOSS = "client_loss", _("Losing a client")
    COMPLAINTS = "complaints", _("Complaints and litigation")
    BOUNDARIES = "boundaries", _("Boundaries")
    EARLY_CAREER = "early_career", _("Early career")
    PRIVATE_PRACTICE = "private_practice", _("Private practice")
    IDENTITY = "identity", _("Identity and belonging")
    GRIEF = "grief", _("Grief")
    WORK_LIFE = "work_life", _("Work and life balance")
    MORAL_INJURY = "moral_injury", _("Moral injury")
    PARENTHOOD = "parenthood", _("Parenthood and caring")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Choose a time zone from the list.")) from exc


def validate_session_lengths(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Offer at least one session length."))
    for length in value:
        if length not in ALLOWED_SESSION_LENGTHS:
            raise ValidationError(_("A session length must be one of the offered lengths."))


def validate_specialties(value: object) -> None:
    if not isinstance(value, list) or any(item not in Specialty.values for item in value):
        raise ValidationError(_("Choose specialties from the list."))


def validate_code_list(value: object) -> None:
    if not isinstance(value, list) or any(not isinstance(item, str) or not 1 <= len(item) <= 20 for item in value):
        raise ValidationError(_("Choose entries from the list."))


class SupporterProfile(models.Model):
    """A verified member who offers T4T sessions. Approach, bio and the lists are shown to
    verified members; the ICS feed URL is the supporter's secret (encrypted)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporter_profile")
    status = models.CharField(_("status"), max_length=10, choices=SupporterStatus.choices, default=SupporterStatus.APPLIED)
    approach = models.CharField(_("approach"), max_length=200, blank=True)
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    specialties = models.JSONField(_("specialties"), default=list, blank=True, validators=[validate_specialties])
    languages = models.JSONField(_("languages"), default=list, blank=True, validators=[validate_code_list])
    jurisdictions = models.JSONField(_("jurisdictions"), default=list, blank=True, validators=[validate_code_list])
    session_lengths = models.JSONField(_("session lengths (minutes)"), default=list, validators=[validate_session_lengths])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    max_per_week = models.PositiveSmallIntegerField(
        _("most sessions per week"), default=3, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    max_per_month = models.PositiveSmallIntegerField(
        _("most sessions per month"), default=8, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    requires_approval = models.BooleanField(_("I approve each request myself"), default=False)
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=24 * 60, validators=[MaxValueValidator(14 * 24 * 60)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("break between sessions (minutes)"), default=15, validators=[MaxValueValidator(120)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("how far ahead members may book (days)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    agreement_version = models.PositiveIntegerField(null=True, blank=True)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    training_completed_at = models.DateTimeField(null=True, blank=True)
    # The supporter's own calendar (busy times are imported by the worker): a secret URL.
    ics_feed_url = EncryptedCharField(_("calendar feed URL"), blank=True, plaintext_max_length=500)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"supporter {self.pk}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def is_bookable(self) -> bool:
        return self.status == SupporterStatus.APPROVED

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)


class SupporterAgreement(models.Model):
    """The supporter agreement: staff publish a new version rather than edit an old one, so an
    acceptance always points at the exact text accepted."""

    version = models.PositiveIntegerField(unique=True)
    body = models.TextField(_("agreement text"), max_length=20000)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"supporter agreement v{self.version}"


class AvailabilityWindow(models.Model):
    """A weekly recurring window in the supporter's own time zone ("Tuesdays 18:00–20:00")."""

    supporter = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")), name="support_window_ends_after_start"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="support_window_weekday"),
        ]

    def __str__(self) -> str:
        return f"window {self.pk}"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The window must end after it starts (on the same day).")})


class DateOverride(models.Model):
    """One date whose availability differs from the weekly windows: closed, or these windows
    (a list of ["HH:MM", "HH:MM"] pairs in the supporter's zone)."""

    supporter = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=False)
    windows = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["supporter", "date"], name="support_override_once_per_date")]

    def __str__(self) -> str:
        return f"override {self.pk}"

    def clean(self) -> None:
        if not isinstance(self.windows, list):
            raise ValidationError({"windows": _("Enter the windows as times.")})
        for pair in self.windows:
            try:
                start, end = (dt.time.fromisoformat(part) for part in pair)
            except (TypeError, ValueError) as exc:
                raise ValidationError({"windows": _("Enter the windows as times.")}) from exc
            if end <= start:
                raise ValidationError({"windows": _("The window must end after it starts (on the same day).")})

    def parsed_windows(self) -> list[tuple[dt.time, dt.time]]:
        return parse_override_windows(self.closed, self.windows)


def parse_override_windows(closed: bool, windows: Any) -> list[tuple[dt.time, dt.time]]:
    """A date override's windows as (start, end) wall times ([] when closed); malformed pairs
    are skipped."""
    if closed:
        return []
    result = []
    for pair in windows or []:
        try:
            start, end = (dt.time.fromisoformat(part) for part in pair)
        except (TypeError, ValueError):
            continue
        if end > start:
            result.append((start, end))
    return result


class Blackout(models.Model):
    """A period with no sessions (holiday, leave). Aware datetimes."""

    supporter = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["supporter", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="support_blackout_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"blackout {self.pk}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The period must end after it starts.")})


class ExternalBusy(models.Model):
    """A busy time imported from the supporter's own calendar (filled by the matching concern's
    ICS import). Only the times are kept, never the event's title or description."""

    supporter = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="external_busy")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    source = models.CharField(max_length=40, default="ics")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["supporter", "ends_at"])]

    def __str__(self) -> str:
        return f"external busy {self.pk}"


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    DECLINED = "declined", _("Declined")


# Bookings that hold the supporter's time (and count towards capacity).
ACTIVE_BOOKING_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


class Booking(models.Model):
    """One T4T session between a seeker and a supporter.

    `blocked_until` is the end plus the supporter's buffer at booking time: the interval
    [starts_at, blocked_until) of two active bookings of one supporter never overlap, which
    keeps at least the buffer between any two sessions (on PostgreSQL an exclusion constraint,
    added by migration 0001 only there, guards it in the database).
    """

    seeker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_bookings")
    supporter = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    blocked_until = models.DateTimeField()
    length_minutes = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.REQUESTED)
    # A private line to the supporter: encrypted at rest, checked by the PHI guard on entry.
    note = EncryptedTextField(_("note to the supporter"), blank=True, max_length=NOTE_MAX_LENGTH)
    idempotency_key = models.CharField(max_length=80, blank=True)
    reschedule_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_as"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late_cancellation = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminder_24h_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_1h_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["supporter", "status", "starts_at"]),
            models.Index(fields=["seeker", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="support_booking_ends_after_start"),
            models.CheckConstraint(condition=models.Q(blocked_until__gte=models.F("ends_at")), name="support_booking_buffer_after_end"),
            models.UniqueConstraint(
                fields=["seeker", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="support_booking_idempotency_once",
            ),
        ]

    def __str__(self) -> str:
        return f"booking {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING_STATUSES


class Hold(models.Model):
    """A short hold on a slot while a member fills in the booking form, so that others are not
    offered it meanwhile. Expired holds are ignored (and swept by the worker)."""

    supporter = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="holds")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["supporter", "expires_at"])]
        constraints = [models.UniqueConstraint(fields=["supporter", "holder"], name="support_one_hold_per_member")]

    def __str__(self) -> str:
        return f"hold {self.pk}"


class CalendarFeedToken(models.Model):
    """A member's private calendar feed: only the SHA-256 of the token is stored, so a database
    reader cannot subscribe to anyone's feed. Revoking sets revoked_at."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"calendar feed token {self.pk}"

