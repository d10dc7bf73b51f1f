"""Forms for a group's meetings: the friendly scheduling form (it builds the RRULE; typing one
is optional), moving or cancelling one meeting, editing a series from a date, attendance, agenda."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peerhaven.groups.meetings_recurrence import (
    BIWEEKLY,
    MONTHLY_NTH,
    NTH_CHOICES,
    ONCE,
    WEEKLY,
    RecurrenceError,
    build_rule,
    nth_label,
    parse_rule,
    weekday_names,
)
from peerhaven.groups.models.meetings import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    AttendanceStatus,
    RsvpResponse,
)
from peerhaven.groups.services.meetings import SeriesPlan

NEVER, ON_DATE, AFTER_COUNT = "never", "on_date", "after_count"
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _weekday_choices() -> list[tuple[int, str]]:
    return list(enumerate(weekday_names()))


def _nth_choices() -> list[tuple[int, str]]:
    return [(nth, nth_label(nth)) for nth in NTH_CHOICES]


class _ScheduleFields(forms.Form):
    """How often, when, how long, until when: shared by scheduling and by editing a series."""

    frequency = forms.ChoiceField(
        label=_("How often"),
        widget=forms.RadioSelect,
        choices=[
            (ONCE, _("Once")),
            (WEEKLY, _("Every week")),
            (BIWEEKLY, _("Every two weeks")),
            (MONTHLY_NTH, _("Once a month, on a given weekday")),
        ],
        initial=WEEKLY,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("For weekly and two-weekly meetings."),
    )
    nth = forms.TypedChoiceField(label=_("Which one in the month"), coerce=int, required=False)
    month_weekday = forms.TypedChoiceField(label=_("Weekday in the month"), coerce=int, required=False)
    starts_on = forms.DateField(label=_("First date"), widget=_DATE)
    start_time = forms.TimeField(label=_("Start time"), widget=_TIME)
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES, initial=90,
    )
    ends = forms.ChoiceField(
        label=_("Ends"), widget=forms.RadioSelect, initial=NEVER,
        choices=[(NEVER, _("No end date")), (ON_DATE, _("On a date")), (AFTER_COUNT, _("After a number of meetings"))],
    )
    until = forms.DateField(label=_("Last date"), required=False, widget=_DATE)
    count = forms.IntegerField(label=_("Number of meetings"), required=False, min_value=1, max_value=520)
    advanced_rule = forms.CharField(
        label=_("Advanced: recurrence rule (RRULE)"), required=False, max_length=300,
        help_text=_("Optional. For schedules the choices above cannot express, e.g. FREQ=MONTHLY;BYMONTHDAY=1. "
                    "It replaces “How often”."),
    )

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["weekdays"].choices = _weekday_choices()  # type: ignore[attr-defined]
        self.fields["nth"].choices = [("", "—"), *_nth_choices()]  # type: ignore[attr-defined]
        self.fields["month_weekday"].choices = [("", "—"), *_weekday_choices()]  # type: ignore[attr-defined]
        self.fields["start_time"].help_text = _("Local time in %(zone)s; it stays the same when clocks change.") % {
            "zone": time_zone,
        }

    def _rule(self, data: dict[str, Any]) -> str:
        advanced = (data.get("advanced_rule") or "").strip()
        if advanced:
            try:
                parse_rule(advanced)
            except RecurrenceError as bad:
                raise ValidationError({"advanced_rule": str(bad)}) from bad
            return advanced
        try:
            return build_rule(
                frequency=data.get("frequency") or "", weekdays=data.get("weekdays") or [],
                nth=data.get("nth"), month_weekday=data.get("month_weekday"),
            )
        except RecurrenceError as bad:
            field = "weekdays" if data.get("frequency") in (WEEKLY, BIWEEKLY) else "nth"
            raise ValidationError({field: str(bad)}) from bad

    def _end(self, data: dict[str, Any]) -> tuple[dt.date | None, int | None]:
        ends = data.get("ends")
        if ends == ON_DATE:
            if not data.get("until"):
                raise ValidationError({"until": _("Choose the last date.")})
            return data["until"], None
        if ends == AFTER_COUNT:
            if not data.get("count"):
                raise ValidationError({"count": _("Say how many meetings.")})
            return None, data["count"]
        return None, None


class ScheduleForm(_ScheduleFields):
    title = forms.CharField(
        label=_("Title"), required=False, max_length=120,
        help_text=_("Optional, seen by the group's members only, e.g. “Case consultation”."),
    )
    field_order = ["title", "frequency", "weekdays", "nth", "month_weekday", "starts_on", "start_time",
                   "duration_minutes", "ends", "until", "count", "advanced_rule"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("frequency") == ONCE and not (data.get("advanced_rule") or "").strip():
            zone = zoneinfo.ZoneInfo(self.time_zone)
            data["one_off_starts_at"] = dt.datetime.combine(data["starts_on"], data["start_time"], tzinfo=zone)
            return data
        until, count = self._end(data)
        data["plan"] = SeriesPlan(
            rule=self._rule(data), starts_on=data["starts_on"], start_time=data["start_time"],
            duration_minutes=data["duration_minutes"], until=until, count=count, title=data.get("title", ""),
            time_zone=self.time_zone,
        )
        return data


class SeriesEditForm(_ScheduleFields):
    from_date = forms.DateField(label=_("Change from this date on"), widget=_DATE,
                                help_text=_("Meetings before this date stay as they are."))
    field_order = ["from_date", "frequency", "weekdays", "nth", "month_weekday", "starts_on", "start_time",
                   "duration_minutes", "ends", "until", "count", "advanced_rule"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frequency"].choices = [  # type: ignore[attr-defined]
            choice for choice in self.fields["frequency"].choices if choice[0] != ONCE  # type: ignore[attr-defined]
        ]
        self.fields["starts_on"].required = False
        self.fields["starts_on"].help_text = _("Leave empty to start from the date above.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        until, count = self._end(data)
        data["plan"] = SeriesPlan(
            rule=self._rule(data), starts_on=data.get("starts_on") or data["from_date"],
            start_time=data["start_time"], duration_minutes=data["duration_minutes"], until=until, count=count,
            time_zone=self.time_zone,
        )
        return data


class MoveForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=_DATE)
    start_time = forms.TimeField(label=_("New start time"), widget=_TIME)
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=MIN_DURATION_MINUTES,
                                          max_value=MAX_DURATION_MINUTES)
    notice = forms.CharField(
        label=_("Note to members"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Shown on the meeting page to the group's members only; never in e-mails."),
    )

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["start_time"].help_text = _("Local time in %(zone)s.") % {"zone": time_zone}

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["date"], data["start_time"], tzinfo=zoneinfo.ZoneInfo(self.time_zone))


class CancelForm(forms.Form):
    notice = forms.CharField(
        label=_("Note to members"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Shown on the meeting page to the group's members only; never in e-mails."),
    )


class RsvpForm(forms.Form):
    response = forms.ChoiceField(choices=RsvpResponse.choices)


class AttendanceForm(forms.Form):
    """One status (and optional minutes) per member: fields `status_<user id>`, `minutes_<user id>`."""

    def __init__(self, *args: Any, rows: list[Any], duration: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            member = row.membership.user
            name = member.public_name
            record = row.record
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=_("Attendance of %(name)s") % {"name": name}, choices=AttendanceStatus.choices,
                initial=record.status if record else AttendanceStatus.PRESENT, widget=forms.RadioSelect,
            )
            self.fields[f"minutes_{member.pk}"] = forms.IntegerField(
                label=_("Minutes attended by %(name)s") % {"name": name}, required=False, min_value=0,
                max_value=duration, initial=record.minutes_attended if record else None,
                help_text=_("Optional; empty means the whole meeting."),
            )

    def entries(self) -> list[tuple[int, str, int | None]]:
        data = self.cleaned_data
        return [
            (row.membership.user.pk, data[f"status_{row.membership.user.pk}"], data.get(f"minutes_{row.membership.user.pk}"))
            for row in self.rows
        ]


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=140,
                            help_text=_("No identifying details of clients."))
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=240)
    presenter = forms.TypedChoiceField(label=_("Presenter"), coerce=int, required=False, empty_value=None)
    case_presentation = forms.TypedChoiceField(label=_("Case presentation"), coerce=int, required=False,
                                               empty_value=None)

    def __init__(self, *args: Any, members: list[Any], presentations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody in particular")), *[(m.user.pk, m.user.public_name) for m in members],
        ]
        self.fields["case_presentation"].choices = [  # type: ignore[attr-defined]
            ("", _("None")), *[(p.pk, p.title) for p in presentations],
        ]


class VolunteerForm(forms.Form):
    title = forms.CharField(label=_("What you would like to bring"), max_length=140,
                            help_text=_("A short title only, with no identifying details of clients."))
    case_presentation = forms.TypedChoiceField(label=_("Your case presentation (optional)"), coerce=int,
                                               required=False, empty_value=None)

    def __init__(self, *args: Any, presentations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_presentation"].choices = [  # type: ignore[attr-defined]
            ("", _("None")), *[(p.pk, p.title) for p in presentations],
        ]


class SlotForm(forms.Form):
    minutes = forms.IntegerField(label=_("Slot length in minutes"), min_value=1, max_value=240, initial=20)
