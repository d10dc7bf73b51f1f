"""What leaves the site about meetings: calendar files (.ics, one meeting or a whole series) and
the member's own attendance log as CSV and PDF.

Calendar entries carry a neutral title and a link only: no group name (it can hint at why
someone meets), no notice, nothing of the agenda. The attendance log holds dates, durations,
the group's name and kind and who took attendance: never anything said in a meeting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Callable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from peerhaven.groups.meetings_recurrence import (
    first_occurrence_on_or_after,
    full_rule_text,
    localise,
    occurrence_dates_before,
)
from peerhaven.groups.models.meetings import Meeting, MeetingSeries
from peerhaven.groups.selectors.meetings import AttendanceLog

CALENDAR_TITLE = "Peerhaven group meeting"
_PRODID = "-//Peerhaven//Group meetings//EN"


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _meeting_uid(meeting: Meeting) -> str:
    return f"groups-meeting-{meeting.pk}@peerhaven"


def _series_uid(series: MeetingSeries) -> str:
    return f"groups-meeting-series-{series.pk}@peerhaven"


def _neutral_event(*, uid: str, link: str, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", CALENDAR_TITLE)
    event.add("description", link)
    event.add("url", link)
    event.add("dtstamp", timezone.now())
    event.add("sequence", sequence)
    return event


def meeting_ics(meeting: Meeting, *, link: str) -> bytes:
    """One meeting (cancelled ones say so, with a higher SEQUENCE, so calendars update)."""
    calendar = _calendar()
    event = _neutral_event(uid=_meeting_uid(meeting), link=link, sequence=meeting.sequence)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def series_ics(series: MeetingSeries, *, link: str, meetings: list[Meeting],
               meeting_link: Callable[[Meeting], str]) -> bytes:
    """The series as one recurring event in its own time zone (so calendars keep the wall-clock
    time across DST), cancelled occurrences as EXDATEs and moved ones as overrides."""
    calendar = _calendar()
    zone = zoneinfo.ZoneInfo(series.time_zone)
    first = first_occurrence_on_or_after(pattern=series.rule, starts_on=series.starts_on,
                                         start_time=series.start_time, until=series.until, count=series.count)
    if first is None:
        return calendar.to_ical()
    master = _neutral_event(uid=_series_uid(series), link=link)
    master.add("dtstart", first.replace(tzinfo=zone))
    master.add("duration", series.duration)
    until, count = series.until, series.count
    if series.stop_before is not None:
        held = occurrence_dates_before(pattern=series.rule, starts_on=series.starts_on, start_time=series.start_time,
                                       until=series.until, count=series.count, before=series.stop_before)
        if count is None or held < count:
            last_day = series.stop_before - dt.timedelta(days=1)
            until, count = (min(until, last_day) if until else last_day), None
            if held == 0:
                return calendar.to_ical()
    rule = full_rule_text(series.rule, until=None, count=count)
    if until is not None:
        # With a zoned DTSTART, UNTIL must be in UTC (RFC 5545 3.3.10).
        end_utc = localise(dt.datetime.combine(until, dt.time(23, 59, 59)), series.time_zone)
        rule = f"{rule};UNTIL={end_utc:%Y%m%dT%H%M%SZ}"
    master.add("rrule", vRecur.from_ical(rule))
    cancelled = [m for m in meetings if m.is_cancelled and m.occurrence_start is not None]
    for meeting in cancelled:
        master.add("exdate", meeting.occurrence_start.astimezone(zone))  # type: ignore[union-attr]
    calendar.add_component(master)
    for meeting in meetings:
        if meeting.is_cancelled or not meeting.is_moved or meeting.occurrence_start is None:
            continue
        override = _neutral_event(uid=_series_uid(series), link=meeting_link(meeting), sequence=meeting.sequence)
        override.add("recurrence-id", meeting.occurrence_start.astimezone(zone))
        override.add("dtstart", meeting.starts_at.astimezone(zone))
        override.add("dtend", meeting.ends_at.astimezone(zone))
        calendar.add_component(override)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- the attendance log ---------------------------------------------------------------------------
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (group names are typed by people)."""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _log_headers() -> list[str]:
    return [_("Date"), _("Start"), _("Group"), _("Kind"), _("Attendance"), _("Meeting minutes"),
            _("Minutes credited"), _("Facilitator")]


def _log_rows(log: AttendanceLog) -> list[list[str]]:
    rows = []
    for entry in log.entries:
        local = timezone.localtime(entry.date)
        rows.append([
            local.date().isoformat(), local.strftime("%H:%M %Z"), entry.group_name, entry.group_kind, entry.status,
            str(entry.meeting_minutes), str(entry.credited_minutes), entry.facilitator,
        ])
    return rows


def attendance_csv(log: AttendanceLog) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_log_headers())
    for row in _log_rows(log):
        writer.writerow([_cell(value) for value in row])
    writer.writerow([])
    writer.writerow([_("Total hours"), log.total_hours])
    return out.getvalue()


def attendance_pdf(log: AttendanceLog, *, member_name: str, organisation: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=_("Group meeting attendance log"), author=organisation,
    )
    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(_("Group meeting attendance log")), styles["Title"]),
        Paragraph(escape(_("Member: %(name)s") % {"name": member_name}), styles["Normal"]),
        Paragraph(escape(_("Issued by %(organisation)s on %(date)s") % {
            "organisation": organisation, "date": date_format(timezone.localdate(), "DATE_FORMAT"),
        }), styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    cell = styles["BodyText"]
    table_rows = [[Paragraph(escape(header), cell) for header in _log_headers()]]
    table_rows += [[Paragraph(escape(value), cell) for value in row] for row in _log_rows(log)]
    if not log.entries:
        table_rows.append([Paragraph(escape(_("No attended meetings yet.")), cell)] + [""] * 7)
    table = Table(table_rows, repeatRows=1, colWidths=[24 * mm, 24 * mm, 52 * mm, 34 * mm, 24 * mm, 24 * mm, 24 * mm, 40 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [
        table,
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Total hours attended: %(hours)s") % {"hours": log.total_hours}), styles["Heading2"]),
        Paragraph(escape(_("Attendance as recorded by the group's facilitator. This log lists meetings only, "
                           "never what was discussed.")), styles["Italic"]),
    ]
    document.build(story)
    return buffer.getvalue()
