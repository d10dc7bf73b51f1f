"""groups models: recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues.

A MeetingSeries holds a wall-clock recurrence rule in a time zone; its occurrences are
materialised as Meeting rows for a rolling horizon, so that one occurrence can be moved or
cancelled (kept, marked cancelled) and carry its own RSVPs, attendance and agenda. One-off
meetings are Meeting rows without a series.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.core.fields import EncryptedCharField
from peerhaven.groups.models.groups import CasePresentation, Group, validate_group_time_zone

__all__ = [
    "AgendaItem",
    "AgendaItemKind",
    "AgendaItemState",
    "AttendanceStatus",
    "Meeting",
    "MeetingAgreementAck",
    "MeetingAttendance",
    "MeetingRsvp",
    "MeetingSeries",
    "MeetingStatus",
    "RsvpResponse",
]

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 8 * 60


class MeetingSeries(models.Model):
    """A group's recurring meeting: a rule expanded in `time_zone` from `starts_on` at
    `start_time` (local wall clock), ending at `until` (a local date) or after `count` meetings.

    Editing "from a date forward" ends this series the day before (`stop_before`) and starts a
    successor (`previous` points back), so past meetings and their attendance never change."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meeting_series")
    title = models.CharField(_("title"), max_length=120, blank=True)
    rule = models.CharField(_("recurrence rule"), max_length=300)  # RRULE without UNTIL/COUNT
    until = models.DateField(_("last date"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of meetings"), null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(520)])
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_group_time_zone])
    starts_on = models.DateField(_("first date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(MIN_DURATION_MINUTES), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    stop_before = models.DateField(null=True, blank=True, editable=False)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="successors", editable=False)
    # Occurrences exist as Meeting rows up to here; the daily job moves it forward.
    materialised_until = models.DateTimeField(null=True, blank=True, editable=False)
    # SET_NULL: erasing a member's account must not be blocked by what they created.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(count__isnull=True),
                name="groups_series_until_or_count",
            ),
        ]
        verbose_name_plural = _("meeting series")

    def __str__(self) -> str:
        return f"meeting series {self.pk}"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    @property
    def has_ended(self) -> bool:
        return self.stop_before is not None


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One meeting: an occurrence of a series (`occurrence_start` is its slot in the rule, kept
    when it is moved, like iCalendar's RECURRENCE-ID) or a one-off."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    # SET_NULL: a series is never deleted by the app; if it were, its meetings (and the
    # attendance log they carry) would stay.
    series = models.ForeignKey(MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="meetings")
    occurrence_start = models.DateTimeField(null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    # A facilitator's short note to members when moving or cancelling (inside the group only).
    notice = EncryptedCharField(_("note to members"), plaintext_max_length=300, blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    # iCalendar SEQUENCE: bumped by every change of time or status, so calendars update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "occurrence_start"], condition=models.Q(series__isnull=False),
                name="groups_meeting_occurrence_once",
            ),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="groups_meeting_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["group", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"meeting {self.pk}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.moved_at is not None

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        return self.ends_at <= (now or timezone.now())


class RsvpResponse(models.TextChoices):
    GOING = "going", _("Going")
    MAYBE = "maybe", _("Maybe")
    NOT_GOING = "not_going", _("Not going")


class MeetingRsvp(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.CharField(_("your answer"), max_length=10, choices=RsvpResponse.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="groups_rsvp_once"),
        ]

    def __str__(self) -> str:
        return f"rsvp {self.pk}"


class MeetingAgreementAck(models.Model):
    """A member confirmed the group agreement (this version) for this meeting, before entering."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="acknowledgements")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agreement_version = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="groups_meeting_ack_once"),
        ]

    def __str__(self) -> str:
        return f"agreement acknowledgement {self.pk}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")


# Statuses that count towards continuing-education hours.
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class MeetingAttendance(models.Model):
    """Taken by a facilitator; the member's CE log is built from their own rows."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    # Blank: the whole meeting (for present) — late arrivals may record what they attended.
    minutes_attended = models.PositiveSmallIntegerField(
        _("minutes attended"), null=True, blank=True, validators=[MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="groups_attendance_once"),
        ]
        indexes = [models.Index(fields=["member", "meeting"])]

    def __str__(self) -> str:
        return f"attendance {self.pk}"

    @property
    def counts_for_ce(self) -> bool:
        return self.status in ATTENDED_STATUSES

    def credited_minutes(self) -> int:
        """Minutes towards the CE log: what was recorded, else the whole meeting when present."""
        if not self.counts_for_ce:
            return 0
        whole = self.meeting.duration_minutes
        if self.minutes_attended is not None:
            return min(self.minutes_attended, whole)
        return whole


class AgendaItemKind(models.TextChoices):
    TOPIC = "topic", _("Topic")
    CASE = "case", _("Case presentation")


class AgendaItemState(models.TextChoices):
    QUEUED = "queued", _("In the presenter queue")
    SLOTTED = "slotted", _("On the agenda")


class AgendaItem(models.Model):
    """An agenda line. Members volunteer to present (QUEUED, first come first listed); a
    facilitator puts items on the agenda in order (SLOTTED, `position`), each with a timed slot."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(max_length=10, choices=AgendaItemKind.choices, default=AgendaItemKind.TOPIC)
    state = models.CharField(max_length=10, choices=AgendaItemState.choices, default=AgendaItemState.SLOTTED)
    title = EncryptedCharField(_("title"), plaintext_max_length=140)
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    case_presentation = models.ForeignKey(CasePresentation, on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "state", "position", "created_at", "pk"]
        constraints = [
            # One place in the presenter queue per member and meeting.
            models.UniqueConstraint(
                fields=["meeting", "presenter"],
                condition=models.Q(state="queued", presenter__isnull=False),
                name="groups_agenda_queue_once",
            ),
        ]

    def __str__(self) -> str:
        return f"agenda item {self.pk}"
