"""Writes for a group's meetings: scheduling series and one-off meetings, materialising
occurrences for the rolling horizon, moving and cancelling one occurrence, editing a series from a
date forward, RSVPs, the per-meeting agreement acknowledgement, attendance, the agenda and its
presenter queue, reminders, and the member's erasure.

Every write runs in one transaction, checks its policy (PermissionDenied) and its input
(ValidationError with a kind message), and writes the audit log (ids and codes only).
Notifications carry a fixed title and a link: never the group's name or a meeting's notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User
from peerhaven.core.audit import audit_log
from peerhaven.groups.meetings_recurrence import (
    RecurrenceError,
    first_occurrence_on_or_after,
    occurrence_dates_before,
    occurrences,
    parse_rule,
)
from peerhaven.groups.models.groups import CasePresentation, Group, Membership, MembershipStatus
from peerhaven.groups.models.meetings import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    AgendaItem,
    AgendaItemKind,
    AgendaItemState,
    AttendanceStatus,
    Meeting,
    MeetingAgreementAck,
    MeetingAttendance,
    MeetingRsvp,
    MeetingSeries,
    MeetingStatus,
    RsvpResponse,
)
from peerhaven.groups.policies.groups import is_group_member
from peerhaven.groups.policies.meetings import (
    can_acknowledge_agreement,
    can_change_meeting,
    can_edit_series,
    can_manage_agenda,
    can_rsvp,
    can_schedule_meetings,
    can_take_attendance,
    can_volunteer_to_present,
    can_withdraw_agenda_item,
    remember_acknowledgement,
)
from peerhaven.notifications.services import notify
from peerhaven.safety import phi

# Occurrences exist as rows this far ahead; the daily job keeps the horizon rolling.
HORIZON = dt.timedelta(weeks=12)
REMINDER_BEFORE = dt.timedelta(hours=24)

NOTIFY_SCHEDULED = "groups.meeting_scheduled"
NOTIFY_MOVED = "groups.meeting_moved"
NOTIFY_CANCELLED = "groups.meeting_cancelled"
NOTIFY_REMINDER = "groups.meeting_reminder"


# --- helpers ------------------------------------------------------------------------------------
def _refuse(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _active_member_ids(group: Group) -> list[int]:
    return list(
        Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE, user__suspended_at__isnull=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _notify_members(group: Group, *, kind: str, link: str, except_id: int | None = None) -> None:
    users = User.objects.filter(pk__in=[uid for uid in _active_member_ids(group) if uid != except_id])
    for user in users:
        notify(user=user, kind=kind, link=link)


def meeting_link(meeting: Meeting) -> str:
    return reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})


def _check_duration(minutes: int) -> None:
    if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise ValidationError(
            _("A meeting lasts from %(low)d minutes to %(high)d hours.")
            % {"low": MIN_DURATION_MINUTES, "high": MAX_DURATION_MINUTES // 60}
        )


def _check_no_identifiers(text: str, *, field: str) -> None:
    """Short texts shown to the group (agenda titles, notices) may not carry structured
    identifiers (phone, e-mail, record numbers, full dates...): the PHI guard blocks them."""
    blocking = [finding for finding in phi.scan(text) if finding.severity == "block"]
    if blocking:
        raise ValidationError(
            {field: _("Remove identifying details (numbers, addresses, full dates) before saving.")}
        )


# --- scheduling ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeriesPlan:
    """What the scheduling form (or the API) asks for."""

    rule: str  # RRULE text (from the friendly form, or typed); may carry UNTIL or COUNT
    starts_on: dt.date
    start_time: dt.time
    duration_minutes: int
    until: dt.date | None = None
    count: int | None = None
    title: str = ""
    time_zone: str = ""  # empty: the group's


def _series_from_plan(group: Group, plan: SeriesPlan, *, actor: User | None) -> MeetingSeries:
    try:
        parsed = parse_rule(plan.rule)
    except RecurrenceError as bad:
        raise ValidationError({"rule": str(bad)}) from bad
    until = plan.until if plan.until is not None else parsed.until
    count = plan.count if plan.count is not None else parsed.count
    if until is not None and count is not None:
        raise ValidationError(_("End the series on a date or after a number of meetings, not both."))
    if until is not None and until < plan.starts_on:
        raise ValidationError({"until": _("The last date is before the first date.")})
    _check_duration(plan.duration_minutes)
    series = MeetingSeries(
        group=group, title=plan.title.strip(), rule=parsed.pattern, until=until, count=count,
        time_zone=plan.time_zone or group.time_zone, starts_on=plan.starts_on,
        start_time=plan.start_time.replace(second=0, microsecond=0),
        duration_minutes=plan.duration_minutes, created_by=actor,
    )
    series.full_clean()
    first = first_occurrence_on_or_after(
        pattern=series.rule, starts_on=series.starts_on, start_time=series.start_time,
        until=series.until, count=series.count,
    )
    if first is None:
        raise ValidationError({"rule": _("This schedule has no meeting at all: check the dates.")})
    return series


def series_create(
    *, actor: User, group: Group, plan: SeriesPlan, request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> MeetingSeries:
    if not can_schedule_meetings(actor, group):
        raise _refuse(_("Only a facilitator of this group can schedule its meetings."))
    with transaction.atomic():
        series = _series_from_plan(group, plan, actor=actor)
        series.save()
        created = series_materialise(series=series, now=now)
        audit_log("groups.series.create", actor=actor, target=series, request=request,
                  group_id=group.pk, meetings=created)
        link = reverse("groups:meeting_list", kwargs={"pk": group.pk})
        _notify_members(group, kind=NOTIFY_SCHEDULED, link=link, except_id=actor.pk)
    return series


def meeting_create(
    *, actor: User, group: Group, starts_at: dt.datetime, duration_minutes: int, title: str = "",
    request: HttpRequest | None = None, now: dt.datetime | None = None,
) -> Meeting:
    """A one-off meeting."""
    if not can_schedule_meetings(actor, group):
        raise _refuse(_("Only a facilitator of this group can schedule its meetings."))
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")
    if starts_at <= (now or timezone.now()):
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    _check_duration(duration_minutes)
    with transaction.atomic():
        meeting = Meeting(group=group, title=title.strip(), starts_at=starts_at,
                          ends_at=starts_at + dt.timedelta(minutes=duration_minutes), created_by=actor)
        meeting.full_clean()
        meeting.save()
        audit_log("groups.meeting.create", actor=actor, target=meeting, request=request, group_id=group.pk)
        _notify_members(group, kind=NOTIFY_SCHEDULED, link=meeting_link(meeting), except_id=actor.pk)
    return meeting


def series_materialise(*, series: MeetingSeries, now: dt.datetime | None = None,
                       horizon: dt.timedelta = HORIZON) -> int:
    """Create the series' meetings from now (or where it stopped) up to now + horizon.

    Idempotent and safe to run twice at once: a (series, occurrence_start) row that exists,
    moved or cancelled included, is never created again (unique constraint, conflicts ignored).
    """
    now = now or timezone.now()
    window_end = now + horizon
    window_start = max(now, series.materialised_until) if series.materialised_until else now
    if window_start >= window_end:
        return 0
    slots = occurrences(
        pattern=series.rule, starts_on=series.starts_on, start_time=series.start_time,
        time_zone=series.time_zone, duration=series.duration, window_start=window_start,
        window_end=window_end, until=series.until, count=series.count, stop_before=series.stop_before,
    )
    with transaction.atomic():
        existing = set(
            Meeting.objects.filter(series=series, occurrence_start__in=[start for start, _end in slots])
            .values_list("occurrence_start", flat=True)
        )
        fresh = [
            Meeting(group_id=series.group_id, series=series, occurrence_start=start, title=series.title,
                    starts_at=start, ends_at=end, created_by_id=series.created_by_id)
            for start, end in slots
            if start not in existing
        ]
        Meeting.objects.bulk_create(fresh, ignore_conflicts=True)
        MeetingSeries.objects.filter(pk=series.pk).update(materialised_until=window_end)
        series.materialised_until = window_end
    return len(fresh)


def series_extend_all(*, now: dt.datetime | None = None) -> int:
    """The daily job: roll every live series' horizon forward. Returns meetings created."""
    now = now or timezone.now()
    created = 0
    live = MeetingSeries.objects.filter(stop_before__isnull=True, group__archived_at__isnull=True)
    for series in live.iterator():
        created += series_materialise(series=series, now=now)
    return created


def meeting_move(
    *, actor: User, meeting: Meeting, starts_at: dt.datetime, duration_minutes: int | None = None,
    notice: str = "", request: HttpRequest | None = None, now: dt.datetime | None = None,
) -> Meeting:
    """Move one occurrence (or a one-off). Its slot in the series stays, so it is not recreated."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
        if not can_change_meeting(actor, locked, now=now):
            raise _refuse(_("This meeting can no longer be moved."))
        if starts_at <= now:
            raise ValidationError({"starts_at": _("Choose a time in the future.")})
        minutes = duration_minutes if duration_minutes is not None else locked.duration_minutes
        _check_duration(minutes)
        if notice:
            _check_no_identifiers(notice, field="notice")
        locked.starts_at = starts_at
        locked.ends_at = starts_at + dt.timedelta(minutes=minutes)
        locked.notice = notice.strip()
        locked.moved_at = now
        locked.sequence += 1
        locked.reminder_sent_at = None  # a new time earns a new reminder
        locked.full_clean()
        locked.save(update_fields=["starts_at", "ends_at", "notice", "moved_at", "sequence", "reminder_sent_at"])
        audit_log("groups.meeting.move", actor=actor, target=locked, request=request)
        _notify_members(locked.group, kind=NOTIFY_MOVED, link=meeting_link(locked), except_id=actor.pk)
    return locked


def meeting_cancel(
    *, actor: User, meeting: Meeting, notice: str = "", request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Cancel one occurrence: kept, marked cancelled (an EXDATE in the series' calendar)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
        if not can_change_meeting(actor, locked, now=now):
            raise _refuse(_("This meeting can no longer be cancelled."))
        if notice:
            _check_no_identifiers(notice, field="notice")
        locked.status = MeetingStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = actor
        locked.notice = notice.strip()
        locked.sequence += 1
        locked.full_clean()
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "notice", "sequence"])
        audit_log("groups.meeting.cancel", actor=actor, target=locked, request=request)
        _notify_members(locked.group, kind=NOTIFY_CANCELLED, link=meeting_link(locked), except_id=actor.pk)
    return locked


def series_edit_from(
    *, actor: User, series: MeetingSeries, from_date: dt.date, plan: SeriesPlan,
    request: HttpRequest | None = None, now: dt.datetime | None = None,
) -> MeetingSeries:
    """Change a series from `from_date` (a local date) on.

    Meetings before that date keep their times, RSVPs and attendance. From that date, the old
    series' untouched future meetings are removed (moved ones stay: a facilitator decided on
    them) and a successor series takes over. A COUNT carries over what is left of it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = MeetingSeries.objects.select_for_update().select_related("group").get(pk=series.pk)
        if not can_edit_series(actor, locked):
            raise _refuse(_("This schedule can no longer be changed."))
        local_today = now.astimezone(_zone(locked.time_zone)).date()
        if from_date < local_today:
            raise ValidationError({"from_date": _("Changes can start today at the earliest.")})
        starts_on = max(plan.starts_on, from_date)
        count = plan.count
        if count is None and plan.until is None and locked.count is not None:
            held = occurrence_dates_before(
                pattern=locked.rule, starts_on=locked.starts_on, start_time=locked.start_time,
                until=locked.until, count=locked.count, before=from_date,
            )
            count = locked.count - held
            if count <= 0:
                raise ValidationError(_("This series has no meetings left after that date."))
        successor = _series_from_plan(
            locked.group,
            SeriesPlan(rule=plan.rule, starts_on=starts_on, start_time=plan.start_time,
                       duration_minutes=plan.duration_minutes, until=plan.until, count=count,
                       title=plan.title or locked.title, time_zone=plan.time_zone or locked.time_zone),
            actor=actor,
        )
        successor.previous = locked
        successor.save()
        # Old occurrences from the date on: untouched ones go (their RSVPs with them); moved
        # ones stay as the facilitator set them; cancelled ones go (the new rule replaces them).
        handed_over = Meeting.objects.filter(
            series=locked, starts_at__gte=max(now, _local_midnight(from_date, locked.time_zone)),
            moved_at__isnull=True,
        )
        removed, _detail = handed_over.delete()
        locked.stop_before = from_date
        locked.save(update_fields=["stop_before"])
        created = series_materialise(series=successor, now=now)
        audit_log("groups.series.edit", actor=actor, target=successor, request=request,
                  previous_id=locked.pk, removed=removed, meetings=created)
        link = reverse("groups:meeting_list", kwargs={"pk": locked.group_id})
        _notify_members(locked.group, kind=NOTIFY_MOVED, link=link, except_id=actor.pk)
    return successor


def _zone(name: str) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def _local_midnight(day: dt.date, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=_zone(time_zone))


# --- members: RSVP and the agreement --------------------------------------------------------------
def rsvp_set(*, actor: User, meeting: Meeting, response: str, request: HttpRequest | None = None) -> MeetingRsvp:
    if response not in RsvpResponse.values:
        raise ValidationError({"response": _("Choose going, maybe or not going.")})
    with transaction.atomic():
        # Read the meeting again: it may have been cancelled or moved since the page loaded.
        current = Meeting.objects.select_related("group").get(pk=meeting.pk)
        if not can_rsvp(actor, current):
            raise _refuse(_("You cannot answer for this meeting any more."))
        rsvp, created = MeetingRsvp.objects.select_for_update().get_or_create(
            meeting=meeting, member=actor, defaults={"response": response},
        )
        if not created and rsvp.response != response:
            rsvp.response = response
            rsvp.updated_at = timezone.now()
            rsvp.save(update_fields=["response", "updated_at"])
        audit_log("groups.meeting.rsvp", actor=actor, target=meeting, request=request, response=response)
    return rsvp


def agreement_acknowledge(
    *, actor: User, meeting: Meeting, request: HttpRequest | None = None,
) -> MeetingAgreementAck:
    """The member confirms the group agreement for this meeting (one click; idempotent)."""
    if not can_acknowledge_agreement(actor, meeting):
        raise _refuse(_("Accept the group's current agreement on the group's page first."))
    version = meeting.group.agreement_version
    with transaction.atomic():
        try:
            with transaction.atomic():
                ack, created = MeetingAgreementAck.objects.get_or_create(
                    meeting=meeting, member=actor, defaults={"agreement_version": version},
                )
        except IntegrityError:
            ack, created = MeetingAgreementAck.objects.get(meeting=meeting, member=actor), False
        if not created and ack.agreement_version < version:
            ack.agreement_version = version
            ack.acknowledged_at = timezone.now()
            ack.save(update_fields=["agreement_version", "acknowledged_at"])
            created = True
        if created:
            audit_log("groups.meeting.agreement_ack", actor=actor, target=meeting, request=request,
                      version=version)
    remember_acknowledgement(actor, meeting, ack)
    return ack


# --- attendance ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttendanceEntry:
    member_id: int
    status: str
    minutes_attended: int | None = None


def attendance_record(
    *, actor: User, meeting: Meeting, entries: Sequence[AttendanceEntry],
    request: HttpRequest | None = None, now: dt.datetime | None = None,
) -> list[MeetingAttendance]:
    """Record (or correct) attendance for members of the group. All or nothing."""
    if not can_take_attendance(actor, meeting, now=now):
        raise _refuse(_("Attendance can be taken from when the room opens."))
    member_ids = {membership.user_id for membership in Membership.objects.filter(
        group=meeting.group, status=MembershipStatus.ACTIVE)}
    # Members who left since still have their past rows; they are kept, not re-recorded.
    already = {row.member_id: row for row in MeetingAttendance.objects.filter(meeting=meeting)}
    recorded: list[MeetingAttendance] = []
    with transaction.atomic():
        for entry in entries:
            if entry.member_id not in member_ids and entry.member_id not in already:
                raise ValidationError(_("Attendance is for members of this group."))
            if entry.status not in AttendanceStatus.values:
                raise ValidationError({"status": _("Choose present, late or absent.")})
            minutes = entry.minutes_attended
            if minutes is not None and not 0 <= minutes <= meeting.duration_minutes:
                raise ValidationError(
                    {"minutes_attended": _("Minutes attended run from 0 to the meeting's %(n)d.")
                     % {"n": meeting.duration_minutes}}
                )
            if entry.status == AttendanceStatus.ABSENT:
                minutes = None
            row = already.get(entry.member_id)
            if row is None:
                row = MeetingAttendance(meeting=meeting, member_id=entry.member_id)
            row.status = entry.status
            row.minutes_attended = minutes
            row.recorded_by = actor
            row.recorded_at = timezone.now()
            row.full_clean(validate_unique=False)
            row.save()
            recorded.append(row)
        audit_log("groups.meeting.attendance", actor=actor, target=meeting, request=request,
                  entries=len(recorded))
    return recorded


# --- agenda and presenter queue -------------------------------------------------------------------
def _next_position(meeting: Meeting) -> int:
    top = AgendaItem.objects.filter(meeting=meeting, state=AgendaItemState.SLOTTED).aggregate(top=Max("position"))
    return int(top["top"] or 0) + 1


def _check_presentation(meeting: Meeting, presentation: CasePresentation | None, *, author: User | None) -> None:
    if presentation is None:
        return
    if presentation.group_id != meeting.group_id or presentation.is_hidden:
        raise ValidationError({"case_presentation": _("Choose a case presentation of this group.")})
    if author is not None and presentation.author_id != author.pk:
        raise ValidationError({"case_presentation": _("Choose one of your own case presentations.")})


def agenda_item_add(
    *, actor: User, meeting: Meeting, title: str, kind: str = AgendaItemKind.TOPIC,
    minutes: int | None = None, presenter: User | None = None,
    case_presentation: CasePresentation | None = None, request: HttpRequest | None = None,
) -> AgendaItem:
    """A facilitator puts an item straight on the agenda, at the end."""
    if not can_manage_agenda(actor, meeting):
        raise _refuse(_("Only a facilitator can change the agenda."))
    if presenter is not None and not is_group_member(presenter, meeting.group):
        raise ValidationError({"presenter": _("The presenter must be a member of this group.")})
    _check_presentation(meeting, case_presentation, author=None)
    _check_no_identifiers(title, field="title")
    with transaction.atomic():
        item = AgendaItem(meeting=meeting, kind=kind, state=AgendaItemState.SLOTTED, title=title.strip(),
                          presenter=presenter, case_presentation=case_presentation, minutes=minutes,
                          position=_next_position(meeting), created_by=actor)
        item.full_clean()
        item.save()
        audit_log("groups.agenda.add", actor=actor, target=item, request=request, meeting_id=meeting.pk)
    return item


def agenda_volunteer(
    *, actor: User, meeting: Meeting, title: str, case_presentation: CasePresentation | None = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """A member joins the presenter queue (once per meeting)."""
    if not can_volunteer_to_present(actor, meeting):
        raise _refuse(_("You cannot volunteer for this meeting."))
    _check_presentation(meeting, case_presentation, author=actor)
    _check_no_identifiers(title, field="title")
    with transaction.atomic():
        if AgendaItem.objects.filter(meeting=meeting, presenter=actor, state=AgendaItemState.QUEUED).exists():
            raise ValidationError(_("You are already in the presenter queue for this meeting."))
        item = AgendaItem(meeting=meeting, kind=AgendaItemKind.CASE, state=AgendaItemState.QUEUED,
                          title=title.strip(), presenter=actor, case_presentation=case_presentation,
                          created_by=actor)
        item.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as taken:
            raise ValidationError(_("You are already in the presenter queue for this meeting.")) from taken
        audit_log("groups.agenda.volunteer", actor=actor, target=item, request=request, meeting_id=meeting.pk)
    return item


def agenda_item_slot(
    *, actor: User, item: AgendaItem, minutes: int, request: HttpRequest | None = None,
) -> AgendaItem:
    """Give an item a timed slot: a queued volunteer moves onto the agenda (at the end)."""
    if not can_manage_agenda(actor, item.meeting):
        raise _refuse(_("Only a facilitator can change the agenda."))
    if not 1 <= minutes <= 240:
        raise ValidationError({"minutes": _("A slot lasts from 1 to 240 minutes.")})
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        fields = ["minutes"]
        locked.minutes = minutes
        if locked.state == AgendaItemState.QUEUED:
            locked.state = AgendaItemState.SLOTTED
            locked.position = _next_position(item.meeting)
            fields += ["state", "position"]
        locked.save(update_fields=fields)
        audit_log("groups.agenda.slot", actor=actor, target=locked, request=request, minutes=minutes)
    return locked


def agenda_item_move(
    *, actor: User, item: AgendaItem, direction: str, request: HttpRequest | None = None,
) -> None:
    """Swap an agenda item with its neighbour above ("up") or below ("down")."""
    if not can_manage_agenda(actor, item.meeting):
        raise _refuse(_("Only a facilitator can change the agenda."))
    if direction not in ("up", "down") or item.state != AgendaItemState.SLOTTED:
        raise ValidationError(_("Only items on the agenda can be moved up or down."))
    with transaction.atomic():
        # Lock the meeting's agenda in one order (by position) so two facilitators reordering
        # at once queue up instead of interleaving.
        slotted = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting_id=item.meeting_id, state=AgendaItemState.SLOTTED)
            .order_by("position", "pk")
        )
        index = next(i for i, row in enumerate(slotted) if row.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(slotted):
            return
        slotted[index], slotted[other] = slotted[other], slotted[index]
        for position, row in enumerate(slotted, start=1):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
        audit_log("groups.agenda.move", actor=actor, target=item, request=request, direction=direction)


def agenda_item_remove(*, actor: User, item: AgendaItem, request: HttpRequest | None = None) -> None:
    if not can_withdraw_agenda_item(actor, item):
        raise _refuse(_("You cannot remove this agenda item."))
    with transaction.atomic():
        audit_log("groups.agenda.remove", actor=actor, target=item, request=request, meeting_id=item.meeting_id)
        item.delete()


# --- reminders ----------------------------------------------------------------------------------
def meeting_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Tell members about meetings starting within 24 hours, once per meeting (and again after a
    move). Idempotent: each meeting is claimed by a conditional update before anyone is told."""
    now = now or timezone.now()
    due = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, reminder_sent_at__isnull=True,
        starts_at__gt=now, starts_at__lte=now + REMINDER_BEFORE, group__archived_at__isnull=True,
    ).select_related("group")
    sent = 0
    for meeting in due:
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if not claimed:
                continue
            _notify_members(meeting.group, kind=NOTIFY_REMINDER, link=meeting_link(meeting))
            sent += 1
    return sent


# --- privacy ------------------------------------------------------------------------------------
def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    """The member's RSVPs, acknowledgements, attendance and queued presentations go. Agenda items
    a facilitator wrote naming them as presenter stay, without the presenter."""
    MeetingRsvp.objects.filter(member=user).delete()
    MeetingAgreementAck.objects.filter(member=user).delete()
    MeetingAttendance.objects.filter(member=user).delete()
    AgendaItem.objects.filter(presenter=user, state=AgendaItemState.QUEUED).delete()
    AgendaItem.objects.filter(presenter=user).update(presenter=None)
